# TaskOverflow on AWS: ECS Fargate behind an ALB, RDS PostgreSQL, logs in CloudWatch, k6 load generators on ECS.
# Files by concern: network.tf, alb.tf, ecs.tf (app), rds.tf, logs.tf, queries.tf, iam.tf, loadgen.tf, outputs.tf.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name = var.project_name

  # Written into every log line as `service` (SERVICE_NAME); the analyzer and the saved queries group by it.
  service_name = "taskoverflow"

  # Learner Lab: no IAM may be created; every task runs as the existing role instead.
  create_iam        = !var.use_existing_role
  existing_role_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${var.existing_role_name}"

  https_enabled = var.certificate_arn != ""
  endpoint_url  = local.https_enabled ? "https://${aws_lb.app.dns_name}" : "http://${aws_lb.app.dns_name}"

  # Fargate's task sizes: CPU units -> the memory values (MiB) it accepts with them.
  fargate_memory = {
    "256"  = [512, 1024, 2048]
    "512"  = range(1024, 4097, 1024)
    "1024" = range(2048, 8193, 1024)
    "2048" = range(4096, 16385, 1024)
    "4096" = range(8192, 30721, 1024)
  }
}
