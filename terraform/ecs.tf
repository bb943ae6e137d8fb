resource "aws_ecr_repository" "app" {
  name = "${local.name}-app"
  # `latest` is re-pushed during a lab; pin app_image_tag to a git SHA for anything longer-lived.
  # checkov:skip=CKV_AWS_51:mutable tags so the README's build-and-push of :latest works repeatedly
  image_tag_mutability = "MUTABLE"
  # destroy removes the repository together with its images (a lab leaves nothing behind)
  force_delete = true

  image_scanning_configuration {
    scan_on_push = true
  }
  # checkov:skip=CKV_AWS_136:AES256 (ECR default) encryption; a KMS CMK adds cost without benefit for a lab image
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy     = local.ecr_keep_last_10
}

locals {
  # Storage is billed per GB-month: keep the 10 newest images only.
  ecr_keep_last_10 = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 10 newest images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 10 }
      action       = { type = "expire" }
    }]
  })
}

resource "aws_ecs_cluster" "main" {
  name = local.name
  # checkov:skip=CKV_AWS_65:Container Insights is a variable (enable_container_insights), off by default for cost

  setting {
    name  = "containerInsights"
    value = var.enable_container_insights ? "enabled" : "disabled"
  }
}

locals {
  # No DATABASE_URL: with PGHOST set the app lets node-postgres read PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD (also
  # in every cluster worker); the user name and password come from the RDS-managed secret as `secrets`, never as
  # plain environment values.
  app_environment_base = [
    { name = "NODE_ENV", value = "production" },
    { name = "PORT", value = tostring(var.app_port) },
    { name = "SERVICE_NAME", value = local.service_name },
    { name = "LOG_LEVEL", value = var.log_level },
    { name = "WEB_CONCURRENCY", value = tostring(var.web_concurrency) },
    { name = "DB_POOL_MAX", value = tostring(var.db_pool_max) },
    { name = "PGHOST", value = aws_db_instance.main.address },
    { name = "PGPORT", value = tostring(aws_db_instance.main.port) },
    { name = "PGDATABASE", value = var.db_name },
    # RDS PostgreSQL 15+ requires TLS (rds.force_ssl = 1).
    { name = "DATABASE_SSL", value = "require" },
    # Above the ALB idle timeout so the ALB closes idle keep-alive connections first (else: sporadic 502s).
    { name = "KEEP_ALIVE_TIMEOUT_MS", value = tostring((var.alb_idle_timeout + 5) * 1000) },
    { name = "AWS_REGION", value = var.aws_region },
  ]

  # Only with direct_cloudwatch_transport: the app ships its lines itself, to its own streams in the same group.
  app_environment_direct = [
    { name = "LOGJAM_CLOUDWATCH_LOG_GROUP", value = aws_cloudwatch_log_group.app.name },
    # Not also on stdout: the awslogs driver would put every line in the same group a second time (double counts in
    # every query). stderr still reaches awslogs: start-up messages and the transport's own log.dropped lines.
    { name = "LOG_STDOUT", value = "0" },
    # The group is terraform's (logs.tf) and the task role may only create streams and put events (iam.tf).
    { name = "LOGJAM_CLOUDWATCH_CREATE_GROUP", value = "0" },
  ]

  app_environment = concat(local.app_environment_base, var.direct_cloudwatch_transport ? local.app_environment_direct : [])

  app_secrets = [
    { name = "PGUSER", valueFrom = "${local.db_secret_arn}:username::" },
    { name = "PGPASSWORD", valueFrom = "${local.db_secret_arn}:password::" },
  ]

  app_container = {
    name         = "app"
    image        = "${aws_ecr_repository.app.repository_url}:${var.app_image_tag}"
    essential    = true
    portMappings = [{ containerPort = var.app_port, protocol = "tcp" }]
    environment  = local.app_environment
    secrets      = local.app_secrets
    # ECS ignores the image's HEALTHCHECK; this one lets ECS replace a wedged container even between ALB checks.
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${var.app_port}/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
    # SIGTERM starts the app's graceful shutdown (finish in-flight requests, flush logs); SIGKILL only after 30 s.
    stopTimeout = 30
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.app.name
        "awslogs-region"        = var.aws_region
        "awslogs-stream-prefix" = "app"
        # blocking (not the newer non-blocking default): non-blocking silently drops lines when its buffer fills,
        # which is exactly under load; blocking never loses a line, and a stalled log path shows up as event-loop
        # delay in runtime.stats instead of as missing requests.
        "mode" = "blocking"
      }
    }
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "${local.name}-app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.app_cpu
  memory                   = var.app_memory
  execution_role_arn       = local.execution_role
  task_role_arn            = local.app_task_role
  container_definitions    = jsonencode([local.app_container])
  # checkov:skip=CKV_AWS_336:read-only root filesystem not verified with the app image yet (Node writes nothing, npm may)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  lifecycle {
    precondition {
      condition     = contains(local.fargate_memory[tostring(var.app_cpu)], var.app_memory)
      error_message = "app_memory does not fit app_cpu on Fargate (see the app_cpu description for valid pairs)."
    }
  }
}

resource "aws_ecs_service" "app" {
  name            = "${local.name}-app"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = var.app_desired_count
  launch_type     = "FARGATE"
  # Room for the first start: image pull, migrations, pool warm-up, before failed health checks count.
  health_check_grace_period_seconds = 60
  propagate_tags                    = "SERVICE"

  network_configuration {
    subnets          = local.public_subnet_ids
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = true # image pulls and AWS APIs without a NAT gateway; inbound is still ALB-only (security group)
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = "app"
    container_port   = var.app_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # The target group must be attached to a listener before a service can register into it.
  depends_on = [aws_lb_listener.http]
}
