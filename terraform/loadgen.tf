# Distributed load: k6 (official grafana/k6 image + the lab's scripts, see loadgen/Dockerfile) as one-off ECS tasks.
# scripts/start-load-run.sh starts var.load_generators of them with one RUN_ID; by default each takes a k6 execution
# segment (K6_EXECUTION_SEGMENT), so together they run the scenario exactly once, spread over N machines.

resource "aws_ecr_repository" "loadgen" {
  name                 = "${local.name}-k6"
  image_tag_mutability = "MUTABLE" # checkov:skip=CKV_AWS_51:re-pushed :latest during a lab, as for the app image
  force_delete         = true

  image_scanning_configuration {
    scan_on_push = true
  }
  # checkov:skip=CKV_AWS_136:AES256 (ECR default) encryption is enough for a public tool's image
}

resource "aws_ecr_lifecycle_policy" "loadgen" {
  repository = aws_ecr_repository.loadgen.name
  policy     = local.ecr_keep_last_10
}

locals {
  k6_environment = [
    { name = "ENDPOINT", value = local.endpoint_url },
    # Overridden per run by scripts/start-load-run.sh; every request carries it as X-Run-Id.
    { name = "RUN_ID", value = "" },
    # No phone-home from the generators.
    { name = "K6_NO_USAGE_REPORT", value = "true" },
    # The summary JSON also goes to stdout as one `LOGJAM_K6_SUMMARY {...}` line, so it reaches CloudWatch through the
    # awslogs driver (the summary-<run id>.json file dies with the task).
    { name = "SUMMARY_STDOUT", value = "1" },
  ]

  k6_container = {
    name      = "k6"
    image     = "${aws_ecr_repository.loadgen.repository_url}:${var.loadgen_image_tag}"
    essential = true
    # The image's entrypoint is `k6`. --quiet: no progress bar redrawn into the log stream.
    command     = ["run", "--quiet", "--no-color", "/scripts/${var.k6_script}"]
    environment = local.k6_environment
    # Thousands of VUs keep thousands of sockets open.
    ulimits = [{ name = "nofile", softLimit = 65535, hardLimit = 65535 }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.app.name
        "awslogs-region"        = var.aws_region
        "awslogs-stream-prefix" = "k6"
        "mode"                  = "blocking"
      }
    }
  }
}

resource "aws_ecs_task_definition" "loadgen" {
  family                   = "${local.name}-k6"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.loadgen_cpu
  memory                   = var.loadgen_memory
  execution_role_arn       = local.execution_role
  # k6 calls no AWS API: no task role.
  container_definitions = jsonencode([local.k6_container])
  # checkov:skip=CKV_AWS_336:k6 writes its summary-<run id>.json into its working folder

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  lifecycle {
    precondition {
      condition     = contains(local.fargate_memory[tostring(var.loadgen_cpu)], var.loadgen_memory)
      error_message = "loadgen_memory does not fit loadgen_cpu on Fargate (see the app_cpu description for valid pairs)."
    }
  }
}
