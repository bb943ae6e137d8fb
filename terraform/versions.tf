terraform {
  # 1.5+: check blocks/preconditions and the provider features used here are stable.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.x introduced aws_vpc_security_group_*_rule and manage_master_user_password; 6.x keeps both.
      version = ">= 5.40, < 7.0"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      Project   = var.project_name
      ManagedBy = "terraform"
    })
  }
}
