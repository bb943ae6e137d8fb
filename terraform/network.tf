# Two layouts, chosen by var.create_vpc:
# - true (default): a dedicated VPC with two public subnets (ALB + Fargate tasks, which get a public IP so they can
#   pull images and reach CloudWatch/Secrets Manager without a NAT gateway: a NAT costs ~$33/month plus data) and two
#   private subnets with no route to the internet for RDS.
# - false: the account's default VPC (all subnets public; RDS still has publicly_accessible = false and a security
#   group that only admits the app). Use it where creating VPCs is restricted or to save a few minutes of apply.
# Either way the security groups, not the subnets, are what keep the tasks and the database closed: see the rules
# below (ALB <- internet on the listener ports only; app <- ALB only; database <- app only).

data "aws_availability_zones" "available" {
  count = var.create_vpc ? 1 : 0
  state = "available"
}

data "aws_vpc" "default" {
  count   = var.create_vpc ? 0 : 1
  default = true
}

data "aws_subnets" "default" {
  count = var.create_vpc ? 0 : 1

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default[0].id]
  }

  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

resource "aws_vpc" "main" {
  count                = var.create_vpc ? 1 : 0
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = local.name }
}

# The VPC's default security group is closed (no rules): nothing should ever be attached to it by accident.
resource "aws_default_security_group" "main" {
  count  = var.create_vpc ? 1 : 0
  vpc_id = aws_vpc.main[0].id
}

resource "aws_internet_gateway" "main" {
  count  = var.create_vpc ? 1 : 0
  vpc_id = aws_vpc.main[0].id

  tags = { Name = local.name }
}

resource "aws_subnet" "public" {
  count             = var.create_vpc ? 2 : 0
  vpc_id            = aws_vpc.main[0].id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)
  availability_zone = data.aws_availability_zones.available[0].names[count.index]
  # Public IPs are given explicitly per task (assign_public_ip) rather than to everything launched here.
  map_public_ip_on_launch = false

  tags = { Name = "${local.name}-public-${count.index}" }
}

resource "aws_subnet" "private" {
  count             = var.create_vpc ? 2 : 0
  vpc_id            = aws_vpc.main[0].id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 10 + count.index)
  availability_zone = data.aws_availability_zones.available[0].names[count.index]

  tags = { Name = "${local.name}-private-${count.index}" }
}

resource "aws_route_table" "public" {
  count  = var.create_vpc ? 1 : 0
  vpc_id = aws_vpc.main[0].id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main[0].id
  }

  tags = { Name = "${local.name}-public" }
}

resource "aws_route_table_association" "public" {
  count          = var.create_vpc ? 2 : 0
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

# Private subnets keep the VPC's main route table: local routes only, no way out.

locals {
  vpc_id            = var.create_vpc ? aws_vpc.main[0].id : data.aws_vpc.default[0].id
  public_subnet_ids = var.create_vpc ? aws_subnet.public[*].id : data.aws_subnets.default[0].ids
  db_subnet_ids     = var.create_vpc ? aws_subnet.private[*].id : data.aws_subnets.default[0].ids
}

# ---------------------------------------------------------------------------------------------------------------------
# Security groups: rules are separate resources (one rule each) so a change never rewrites a whole group.
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name        = "${local.name}-alb"
  description = "TaskOverflow load balancer: listener ports from alb_ingress_cidrs, out to the app only"
  vpc_id      = local.vpc_id
}

resource "aws_security_group" "app" {
  name        = "${local.name}-app"
  description = "TaskOverflow tasks: in from the load balancer only"
  vpc_id      = local.vpc_id
}

resource "aws_security_group" "db" {
  name        = "${local.name}-db"
  description = "TaskOverflow PostgreSQL: in from the app tasks only"
  vpc_id      = local.vpc_id
}

resource "aws_security_group" "loadgen" {
  name        = "${local.name}-loadgen"
  description = "k6 load generators: no inbound; out to the load balancer and image registry"
  vpc_id      = local.vpc_id
}

# The only rules open to the internet: the ALB's listener ports (80, and 443 when a certificate is configured).
resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  for_each          = toset(var.alb_ingress_cidrs)
  security_group_id = aws_security_group.alb.id
  description       = "HTTP listener"
  # checkov:skip=CKV_AWS_260:the public load balancer's listener is meant to be reachable; alb_ingress_cidrs narrows it
  ip_protocol = "tcp"
  from_port   = 80
  to_port     = 80
  cidr_ipv4   = each.value
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each          = local.https_enabled ? toset(var.alb_ingress_cidrs) : toset([])
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS listener"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Forward to the app tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "Requests from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id
}

# HTTPS out to AWS APIs over their public endpoints: ECR image pulls (and S3 layers), CloudWatch Logs, Secrets
# Manager. VPC interface endpoints would narrow this, at ~$7/month per endpoint per AZ.
resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "AWS APIs (ECR, CloudWatch Logs, Secrets Manager)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the app tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id
}

# The load generators reach the ALB through its public DNS name, so their traffic leaves the VPC: allow the
# listener ports out (and 443 for ECR image pulls and CloudWatch Logs).
resource "aws_vpc_security_group_egress_rule" "loadgen_out" {
  for_each          = toset(["80", "443"])
  security_group_id = aws_security_group.loadgen.id
  description       = "Load balancer listener / AWS APIs"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = "0.0.0.0/0"
}
