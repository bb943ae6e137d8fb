# Least-privilege IAM. With use_existing_role = true (AWS Academy Learner Lab) nothing in this file is created: every
# resource has `count = local.create_iam ? ... : 0` and the tasks run as var.existing_role_name (LabRole) instead.
#
# Resource scoping follows the Service Authorization Reference for CloudWatch Logs ("logs"):
# - StartQuery, CreateLogStream, PutLogEvents accept log-group / log-stream ARNs: scoped to this log group.
# - GetQueryResults and StopQuery act on a query id, and DescribeLogGroups is a list call: the reference lists no
#   resource types for them, so IAM only matches them with "*". They expose no log data by themselves: a query's
#   results can only come from a StartQuery, which is scoped to this group.
# - ecr:GetAuthorizationToken is account-wide (no resource type) and must be "*" too.

locals {
  log_group_arn   = aws_cloudwatch_log_group.app.arn
  log_streams_arn = "${aws_cloudwatch_log_group.app.arn}:log-stream:*"
  db_secret_arn   = aws_db_instance.main.master_user_secret[0].secret_arn
  create_app_role = local.create_iam && var.direct_cloudwatch_transport
  execution_role  = local.create_iam ? aws_iam_role.task_execution[0].arn : local.existing_role_arn
  app_task_role   = var.direct_cloudwatch_transport ? (local.create_iam ? aws_iam_role.app_task[0].arn : local.existing_role_arn) : null
  analyzer_policy = local.create_iam ? aws_iam_policy.analyzer[0].arn : null
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Confused-deputy guard: only ECS acting for this account may assume the roles.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Task execution role (used by the ECS agent, not by the app): pull the two images, write container output to the
# log group through the awslogs driver, read the database secret to inject PGUSER/PGPASSWORD.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "task_execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [aws_ecr_repository.app.arn, aws_ecr_repository.loadgen.arn]
  }

  statement {
    sid       = "ContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arn, local.log_streams_arn]
  }

  statement {
    sid       = "DatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.db_secret_arn]
  }
}

resource "aws_iam_role" "task_execution" {
  count              = local.create_iam ? 1 : 0
  name               = "${local.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "task_execution" {
  count  = local.create_iam ? 1 : 0
  name   = "pull-log-secret"
  role   = aws_iam_role.task_execution[0].id
  policy = data.aws_iam_policy_document.task_execution.json
}

# ---------------------------------------------------------------------------------------------------------------------
# App task role: only when the app ships logs itself (direct_cloudwatch_transport). The group exists (logs.tf), so
# the transport needs to create its own stream and put events, nothing else.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "app_transport" {
  statement {
    sid       = "DirectCloudWatchTransport"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arn, local.log_streams_arn]
  }
}

resource "aws_iam_role" "app_task" {
  count              = local.create_app_role ? 1 : 0
  name               = "${local.name}-app-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role_policy" "app_transport" {
  count  = local.create_app_role ? 1 : 0
  name   = "cloudwatch-transport"
  role   = aws_iam_role.app_task[0].id
  policy = data.aws_iam_policy_document.app_transport.json
}

# ---------------------------------------------------------------------------------------------------------------------
# The analyzer (`logjam analyze --log-group ...` on your machine): a managed policy to attach to your IAM user, group
# or role (output analyzer_policy_arn). Read-only: Logs Insights queries on this log group.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "analyzer" {
  statement {
    sid     = "QueryThisLogGroup"
    actions = ["logs:StartQuery"]
    # Both forms: IAM evaluates StartQuery against the log group's ARN, which some callers see with a ":*" suffix.
    resources = [local.log_group_arn, "${local.log_group_arn}:*"]
  }

  statement {
    sid = "QueryResultsAndDiscovery"
    # No resource types exist for these three actions (see the header of this file): "*" is the only valid value.
    actions   = ["logs:GetQueryResults", "logs:StopQuery", "logs:DescribeLogGroups"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "analyzer" {
  count       = local.create_iam ? 1 : 0
  name        = "${local.name}-logjam-analyzer"
  description = "logjam analyze: Logs Insights queries on the ${var.log_group_name} log group"
  policy      = data.aws_iam_policy_document.analyzer.json
}
