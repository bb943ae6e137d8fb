# One log group for the whole run: the app's request lines (stream prefix "app/") and the k6 generators' output
# (stream prefix "k6/"), so `logjam analyze --run <id> --log-group <name>` and the saved queries see both.
resource "aws_cloudwatch_log_group" "app" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  # Encrypted at rest by CloudWatch Logs' own keys; a customer-managed KMS key would add a key policy and $1/month.
  # checkov:skip=CKV_AWS_338:14 days by default (log_retention_days): load-test lines, not audit records; a year costs more
  # checkov:skip=CKV_AWS_158:service-managed encryption is enough for load-test data; no CMK
}
