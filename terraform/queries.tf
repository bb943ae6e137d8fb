# Saved Logs Insights queries (console: CloudWatch > Logs Insights > Saved queries > logjam/...), the same questions
# `logjam analyze` answers, over the same fields (middleware/schema.ts, docs/log-schema.md). Saved queries cannot take
# parameters: lines marked "# run:" / "# request:" show where to put a run id or a request id.
# Only JSON lines from the app have an `event` field, so the k6 output in the same group never matches.

resource "aws_cloudwatch_query_definition" "errors_by_route" {
  name            = "logjam/${local.name}/errors-by-route"
  log_group_names = [aws_cloudwatch_log_group.app.name]
  query_string    = <<-EOT
    # Which routes fail, and how: 4xx and 5xx answers per method, route and status.
    # run: add `and run_id = "<run id>"` to the filter to look at one load run.
    filter event = "request.finish" and status >= 400
    | stats count(*) as responses by method, route, status
    | sort responses desc
    | limit 100
  EOT
}

resource "aws_cloudwatch_query_definition" "suspicious_paths" {
  name            = "logjam/${local.name}/suspicious-paths"
  log_group_names = [aws_cloudwatch_log_group.app.name]
  query_string    = <<-EOT
    # Requests that matched no route, or whose path carries a client bug like /todos/undefined.
    # run: add `and run_id = "<run id>"` to the filter to look at one load run.
    filter event = "request.finish" and (not ispresent(route) or path like /\/(undefined|null|NaN)(\/|$)/)
    | stats count(*) as requests by method, path, status
    | sort requests desc
    | limit 100
  EOT
}

resource "aws_cloudwatch_query_definition" "latency_over_time" {
  name            = "logjam/${local.name}/latency-percentiles-over-time"
  log_group_names = [aws_cloudwatch_log_group.app.name]
  query_string    = <<-EOT
    # Throughput, latency percentiles and time in the database per 10 s (switch to a line chart in the console).
    # run: add `and run_id = "<run id>"` to the filter to look at one load run.
    filter event = "request.finish"
    | stats count(*) as requests, pct(duration_ms, 50) as p50_ms, pct(duration_ms, 95) as p95_ms, pct(duration_ms, 99) as p99_ms, max(duration_ms) as max_ms, avg(pool_wait_ms) as avg_pool_wait_ms, avg(db_ms) as avg_db_ms by bin(10s)
  EOT
}

resource "aws_cloudwatch_query_definition" "request_trace" {
  name            = "logjam/${local.name}/request-trace"
  log_group_names = [aws_cloudwatch_log_group.app.name]
  query_string    = <<-EOT
    # Everything one request logged, in order (ids are echoed in the X-Request-Id response header).
    # request: replace the id below.
    filter request_id = "REPLACE-WITH-REQUEST-ID"
    | fields @timestamp, event, level, msg, method, path, route, status, duration_ms, db_ms, pool_wait_ms, sql, rows, err.message
    | sort @timestamp asc
    | limit 1000
  EOT
}

resource "aws_cloudwatch_query_definition" "runs" {
  name            = "logjam/${local.name}/runs"
  log_group_names = [aws_cloudwatch_log_group.app.name]
  query_string    = <<-EOT
    # The load runs in this log group (X-Run-Id), newest first: the ids `logjam analyze --run` takes.
    filter event = "request.finish" and ispresent(run_id)
    | stats count(*) as requests, min(@timestamp) as started, max(@timestamp) as ended by run_id
    | sort started desc
  EOT
}
