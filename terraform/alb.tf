resource "aws_lb" "app" {
  name               = "${local.name}-alb"
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb.id]
  subnets            = local.public_subnet_ids
  idle_timeout       = var.alb_idle_timeout
  # Requests with malformed header names are dropped at the edge instead of reaching the app.
  drop_invalid_header_fields = true
  # Access logs to S3 (alb-logs.tf): the requests the ALB answered without the app, and the time before the app.
  access_logs {
    enabled = true
    bucket  = aws_s3_bucket.alb_logs.id
    prefix  = local.alb_log_prefix
  }
  # AWS checks that it may write to the bucket when access logs are enabled
  depends_on = [aws_s3_bucket_policy.alb_logs]
  # checkov:skip=CKV_AWS_150:deletion protection would make `terraform destroy` of a lab fail
  # checkov:skip=CKV2_AWS_28:no WAF in front of a short-lived lab endpoint (cost); narrow alb_ingress_cidrs instead
}

resource "aws_lb_target_group" "app" {
  name        = "${local.name}-app"
  target_type = "ip" # Fargate tasks (awsvpc) register by IP
  protocol    = "HTTP"
  port        = var.app_port
  vpc_id      = local.vpc_id
  # Short drain: the app shuts down gracefully on SIGTERM (finishes in-flight requests), which ECS sends after this.
  deregistration_delay = 30

  health_check {
    path                = "/api/v1/health"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

# Port 80. With a certificate it only redirects to HTTPS. Without one it serves the app over plain HTTP.
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"
  # EXCEPTION (justified): when certificate_arn is empty there is no domain and no certificate to terminate TLS with
  # (the lab runs on the ALB's generated DNS name, for which ACM cannot issue a certificate), so the listener forwards
  # plain HTTP. The traffic is synthetic load-test data without credentials. Set certificate_arn to get the redirect.
  # checkov:skip=CKV_AWS_2:plain HTTP only when no certificate_arn is configured (see the comment above)
  # checkov:skip=CKV2_AWS_20:redirects to HTTPS whenever certificate_arn is set; without it there is no HTTPS to redirect to
  # checkov:skip=CKV_AWS_103:TLS policy applies to the HTTPS listener, not this one

  default_action {
    type             = local.https_enabled ? "redirect" : "forward"
    target_group_arn = local.https_enabled ? null : aws_lb_target_group.app.arn

    dynamic "redirect" {
      for_each = local.https_enabled ? [1] : []
      content {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count             = local.https_enabled ? 1 : 0
  load_balancer_arn = aws_lb.app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
