resource "aws_db_subnet_group" "main" {
  name       = "${local.name}-db"
  subnet_ids = local.db_subnet_ids
}

resource "aws_db_instance" "main" {
  identifier     = "${local.name}-db"
  engine         = "postgres"
  engine_version = var.db_engine_version
  instance_class = var.db_instance_class

  allocated_storage = var.db_allocated_storage
  storage_type      = "gp3"
  storage_encrypted = true

  db_name  = var.db_name
  username = var.db_username
  # RDS generates the password and keeps it in Secrets Manager (JSON {"username","password"}); the app task gets it
  # through `secrets` in its task definition, so it never appears in Terraform state, variables or the console.
  # Note: RDS rotates it every 7 days by default; running tasks keep the old value until they restart.
  manage_master_user_password = true

  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  multi_az               = false
  port                   = 5432

  backup_retention_period    = var.db_backup_retention_days
  auto_minor_version_upgrade = true
  copy_tags_to_snapshot      = true
  deletion_protection        = var.db_deletion_protection
  skip_final_snapshot        = var.db_skip_final_snapshot
  final_snapshot_identifier  = var.db_skip_final_snapshot ? null : "${local.name}-db-final"
  apply_immediately          = true
  # Slow-query and connection errors show up in the app's own db.query / request lines; these exports cost extra.
  # checkov:skip=CKV_AWS_129:PostgreSQL log exports off by default (cost); the app logs every query with its timing
  # checkov:skip=CKV_AWS_157:single-AZ on purpose for a lab (multi-AZ doubles the cost)
  # checkov:skip=CKV_AWS_161:IAM database authentication not used; the password lives in Secrets Manager
  # checkov:skip=CKV_AWS_118:enhanced monitoring needs an extra IAM role that Learner Lab cannot create
  # checkov:skip=CKV_AWS_293:deletion protection is a variable (db_deletion_protection), off so a lab can be destroyed
  # checkov:skip=CKV_AWS_353:performance insights off by default (not in every Learner Lab account)
}
