output "endpoint_url" {
  description = "Base URL of TaskOverflow (the load balancer). Health: <endpoint_url>/api/v1/health"
  value       = local.endpoint_url
}

output "log_group_name" {
  description = "CloudWatch log group holding the app's request lines and the k6 output."
  value       = aws_cloudwatch_log_group.app.name
}

output "analyze_command" {
  description = "Analyze one load run from CloudWatch (replace <run-id>; start-load-run.sh prints the exact command)."
  value       = "logjam analyze --run <run-id> --log-group ${aws_cloudwatch_log_group.app.name} --region ${var.aws_region}"
}

output "alb_logs_command" {
  description = "Download the ALB access logs (S3) and join them with the app's lines by X-Amzn-Trace-Id (replace <run-id>, <app logs>)."
  value       = "aws s3 sync s3://${aws_s3_bucket.alb_logs.id}/${local.alb_log_prefix}/AWSLogs/ alb-logs/ && logjam analyze --run <run-id> --logs <app logs> --alb-logs alb-logs/"
}

output "start_load_command" {
  description = "Start a distributed k6 run (reads the outputs below)."
  value       = "scripts/start-load-run.sh --count ${var.load_generators}"
}

output "aws_region" {
  description = "Region everything was deployed to."
  value       = var.aws_region
}

output "app_ecr_repository_url" {
  description = "Push the app image here (docker tag ... <url>:<app_image_tag>)."
  value       = aws_ecr_repository.app.repository_url
}

output "loadgen_ecr_repository_url" {
  description = "Push the k6 load generator image here."
  value       = aws_ecr_repository.loadgen.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster running the app service and the k6 tasks."
  value       = aws_ecs_cluster.main.name
}

output "app_service_name" {
  description = "ECS service of the app (aws ecs update-service --force-new-deployment after pushing a new image)."
  value       = aws_ecs_service.app.name
}

output "loadgen_task_definition" {
  description = "Task definition (family:revision) of the k6 load generator."
  value       = "${aws_ecs_task_definition.loadgen.family}:${aws_ecs_task_definition.loadgen.revision}"
}

output "loadgen_subnet_ids" {
  description = "Subnets for the k6 tasks, comma-separated (as aws ecs run-task takes them)."
  value       = join(",", local.public_subnet_ids)
}

output "loadgen_security_group_id" {
  description = "Security group of the k6 tasks."
  value       = aws_security_group.loadgen.id
}

output "load_generators" {
  description = "Default number of k6 tasks per run."
  value       = var.load_generators
}

output "k6_script" {
  description = "Script the k6 tasks run by default."
  value       = var.k6_script
}

output "db_address" {
  description = "RDS endpoint host (reachable from the app tasks only)."
  value       = aws_db_instance.main.address
}

output "db_secret_arn" {
  description = "Secrets Manager secret (managed by RDS) with the database user name and password."
  value       = local.db_secret_arn
}

output "analyzer_policy_arn" {
  description = "IAM policy to attach to whoever runs `logjam analyze` (null with use_existing_role: LabRole already allows it)."
  value       = local.analyzer_policy
}
