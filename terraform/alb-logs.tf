# ALB access logs: one line per request the ALB answered, delivered to S3 every 5 minutes per ALB node as .log.gz
# files (never to CloudWatch Logs). They hold what the app's own lines cannot: requests the ALB answered without the
# app (502/503/504, 460 client closed) and the time spent before the app. `logjam analyze --alb-logs` joins them to
# the app's lines by X-Amzn-Trace-Id (docs/analyzer.md, "The front door").

locals {
  alb_log_prefix = "alb"
  # Where the ALB writes: <bucket>/<prefix>/AWSLogs/<account id>/elasticloadbalancing/<region>/<yyyy>/<mm>/<dd>/…
  alb_log_objects_arn = "${aws_s3_bucket.alb_logs.arn}/${local.alb_log_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
}

resource "aws_s3_bucket" "alb_logs" {
  bucket_prefix = "${local.name}-alb-logs-"
  # A lab bucket: `terraform destroy` removes it with its logs (they expire anyway, see the lifecycle below).
  force_destroy = true
  # checkov:skip=CKV_AWS_18:this bucket is the access log; logging its own access would need a second bucket
  # checkov:skip=CKV_AWS_21:log objects are written once and expire; versions would only keep deleted logs longer
  # checkov:skip=CKV_AWS_144:no cross-region replication for load-test logs that expire in days
  # checkov:skip=CKV_AWS_145:ALB access logs support SSE-S3 only (AWS rejects a KMS-encrypted bucket for log delivery)
  # checkov:skip=CKV2_AWS_62:nothing consumes object notifications; logjam reads the files after a sync
}

resource "aws_s3_bucket_public_access_block" "alb_logs" {
  bucket                  = aws_s3_bucket.alb_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  rule {
    id     = "expire-alb-logs"
    status = "Enabled"
    filter {
      prefix = "${local.alb_log_prefix}/"
    }
    expiration {
      days = var.alb_log_retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# The ELB log-delivery policy (Elastic Load Balancing user guide, "Enable access logs"): Regions available before
# August 2022 deliver as the Region's ELB account, newer ones as the log-delivery service. Both may only put objects,
# and only under this load balancer's prefix for this account.
data "aws_elb_service_account" "main" {}

data "aws_iam_policy_document" "alb_logs" {
  statement {
    sid       = "ElbLogDeliveryAccount"
    actions   = ["s3:PutObject"]
    resources = [local.alb_log_objects_arn]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.main.arn]
    }
  }
  statement {
    sid       = "ElbLogDeliveryService"
    actions   = ["s3:PutObject"]
    resources = [local.alb_log_objects_arn]
    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket_policy" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id
  policy = data.aws_iam_policy_document.alb_logs.json
  # the public-access block first: a policy written before it could be judged public for a moment
  depends_on = [aws_s3_bucket_public_access_block.alb_logs]
}
