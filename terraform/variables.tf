# ---------------------------------------------------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region to deploy into. AWS Academy Learner Lab only allows us-east-1 (and us-west-2)."
  type        = string
  default     = "us-east-1"
}

variable "project_name" {
  description = "Prefix for resource names (ALB, cluster, ECR repositories, database). Lowercase letters, digits and hyphens."
  type        = string
  default     = "taskoverflow"

  validation {
    # The ALB and target group names are "<project>-alb"/"<project>-app" and must stay within AWS's 32 characters.
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.project_name))
    error_message = "project_name must be 2-20 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------------------------------
# IAM: AWS Academy Learner Lab accounts cannot create IAM roles; they provide LabRole instead.
# ---------------------------------------------------------------------------------------------------------------------

variable "use_existing_role" {
  description = "Create no IAM at all and run every task with an existing role (AWS Academy Learner Lab: LabRole)."
  type        = bool
  default     = false
}

variable "existing_role_name" {
  description = "Name of the existing role used as task execution role and task role when use_existing_role = true."
  type        = string
  default     = "LabRole"
}

# ---------------------------------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------------------------------

variable "create_vpc" {
  description = "Create a dedicated VPC (public subnets for the ALB and tasks, private subnets for RDS). false = use the account's default VPC."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR of the dedicated VPC (create_vpc = true). Two /24 public and two /24 private subnets are carved from it."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block such as 10.40.0.0/16."
  }
}

variable "alb_ingress_cidrs" {
  description = "IPv4 CIDRs allowed to reach the load balancer's listener(s). Narrow it to your own address to keep the lab private."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "certificate_arn" {
  description = "ACM certificate ARN for an HTTPS listener. Empty = plain HTTP on the ALB's DNS name (the lab's setup)."
  type        = string
  default     = ""
}

variable "alb_log_retention_days" {
  description = "Days the ALB access logs are kept in their S3 bucket before they expire (lifecycle rule)."
  type        = number
  default     = 14
  validation {
    condition     = var.alb_log_retention_days >= 1
    error_message = "alb_log_retention_days must be at least 1."
  }
}

variable "alb_idle_timeout" {
  description = "ALB idle timeout in seconds. The app's keep-alive timeout is set 5 s above it so the ALB, not the app, closes idle connections."
  type        = number
  default     = 60
}

# ---------------------------------------------------------------------------------------------------------------------
# The app (TaskOverflow) on ECS Fargate
# ---------------------------------------------------------------------------------------------------------------------

variable "app_image_tag" {
  description = "Tag of the app image in the app's ECR repository."
  type        = string
  default     = "latest"
}

variable "app_port" {
  description = "Port the app listens on inside the container (PORT)."
  type        = number
  default     = 3000
}

variable "app_cpu" {
  description = "Fargate task CPU units for the app (1024 = 1 vCPU). Valid pairs: 256: 512-2048 MiB, 512: 1024-4096, 1024: 2048-8192, 2048: 4096-16384, 4096: 8192-30720."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.app_cpu)
    error_message = "app_cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "app_memory" {
  description = "Fargate task memory (MiB) for the app; must fit app_cpu (see app_cpu)."
  type        = number
  default     = 2048
}

variable "app_desired_count" {
  description = "Number of app tasks behind the load balancer."
  type        = number
  default     = 1

  validation {
    condition     = var.app_desired_count >= 0 && var.app_desired_count <= 50
    error_message = "app_desired_count must be between 0 and 50."
  }
}

variable "web_concurrency" {
  description = "WEB_CONCURRENCY: Node cluster workers per task (1 per vCPU is the usual ceiling for a CPU-bound Node app)."
  type        = number
  default     = 1

  validation {
    condition     = var.web_concurrency >= 1 && var.web_concurrency <= 16
    error_message = "web_concurrency must be between 1 and 16."
  }
}

variable "db_pool_max" {
  description = "DB_POOL_MAX: PostgreSQL connections per worker. Keep tasks x workers x pool below the instance's max_connections (db.t3.micro: about 80)."
  type        = number
  default     = 10

  validation {
    condition     = var.db_pool_max >= 1 && var.db_pool_max <= 100
    error_message = "db_pool_max must be between 1 and 100."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the app (trace, debug, info, warn, error, fatal)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "warn", "error", "fatal"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, warn, error, fatal."
  }
}

variable "direct_cloudwatch_transport" {
  description = "Ship logs from inside the app with logjam's CloudWatch transport (LOGJAM_CLOUDWATCH_LOG_GROUP; the lines then leave stdout: LOG_STDOUT=0). Off: stdout through the awslogs driver only."
  type        = bool
  default     = false
}

variable "enable_container_insights" {
  description = "ECS Container Insights on the cluster (per-task CPU/memory metrics; billed as custom metrics)."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------------------------
# Logs
# ---------------------------------------------------------------------------------------------------------------------

variable "log_group_name" {
  description = "CloudWatch log group for the app's and the load generators' output (what `logjam analyze --log-group` reads)."
  type        = string
  default     = "taskoverflow"
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the log lines."
  type        = number
  default     = 14

  validation {
    # The values CloudWatch Logs accepts for PutRetentionPolicy (0 = never expire is deliberately not allowed).
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Database (RDS PostgreSQL)
# ---------------------------------------------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t3.micro"
}

variable "db_engine_version" {
  description = "PostgreSQL major (or major.minor) version."
  type        = string
  default     = "17"
}

variable "db_allocated_storage" {
  description = "Storage in GiB (gp3)."
  type        = number
  default     = 20
}

variable "db_name" {
  description = "Database created on the instance (PGDATABASE)."
  type        = string
  default     = "taskoverflow"
}

variable "db_username" {
  description = "Master user name; its password is generated and kept by RDS in Secrets Manager."
  type        = string
  default     = "taskoverflow"
}

variable "db_backup_retention_days" {
  description = "Automated backup retention in days (0 disables backups)."
  type        = number
  default     = 1
}

variable "db_skip_final_snapshot" {
  description = "Skip the final snapshot on destroy (true suits a lab; set false to keep the data)."
  type        = bool
  default     = true
}

variable "db_deletion_protection" {
  description = "RDS deletion protection (turn it off again before `terraform destroy`)."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------------------------
# Distributed load (k6 on ECS Fargate)
# ---------------------------------------------------------------------------------------------------------------------

variable "load_generators" {
  description = "How many k6 tasks scripts/start-load-run.sh starts for one run (each takes a slice of the scenario, or runs all of it with --mode replicate)."
  type        = number
  default     = 4

  validation {
    condition     = var.load_generators >= 1 && var.load_generators <= 100
    error_message = "load_generators must be between 1 and 100."
  }
}

variable "loadgen_image_tag" {
  description = "Tag of the k6 image in the load generator's ECR repository."
  type        = string
  default     = "latest"
}

variable "loadgen_cpu" {
  description = "Fargate CPU units per k6 task."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.loadgen_cpu)
    error_message = "loadgen_cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "loadgen_memory" {
  description = "Fargate memory (MiB) per k6 task; must fit loadgen_cpu."
  type        = number
  default     = 2048
}

variable "k6_script" {
  description = "Script (in the k6 image's /scripts) the load generators run by default."
  type        = string
  default     = "planners-and-studiers.js"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+\\.js$", var.k6_script))
    error_message = "k6_script must be a file name ending in .js (no folders)."
  }
}
