#!/usr/bin/env bash
# Start one distributed k6 load run on ECS Fargate: N load generator tasks, all with the same RUN_ID, against the
# deployed TaskOverflow. Reads cluster, task definition, subnets, security group, region and defaults from
# `terraform output` (terraform/), so after `terraform apply` the whole thing is:
#
#   scripts/start-load-run.sh                     # var.load_generators tasks, one generated run id
#   scripts/start-load-run.sh --count 8 --run-id lab-1 --wait
#
# Modes:
#   split (default)  each task runs a k6 execution segment (K6_EXECUTION_SEGMENT i/N:(i+1)/N): together the N tasks
#                    run the scenario exactly once, its VUs and iterations spread over N machines.
#   replicate        each task runs the whole scenario: N times the load (started 10 at a time, ECS's per-call limit).
#
# Progress goes to stderr; stdout gets the run id and the `logjam analyze` command for it.
# Exit codes: 0 started (and with --wait: every generator exited 0), 1 AWS refused/failed or a generator failed,
# 2 bad arguments or missing tools/outputs.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/start-load-run.sh [options]

  --run-id ID        run id sent as X-Run-Id by every request ([A-Za-z0-9._:-], 1-128 chars; default generated)
  --count N          number of k6 tasks (default: terraform output load_generators)
  --mode MODE        split (default: the scenario once, divided over N tasks) | replicate (N full copies)
  --script FILE      k6 script in the image's /scripts (default: terraform output k6_script)
  --wait             wait until every generator stopped and report their exit codes (k6: 99 = thresholds failed)
  --wait-timeout S   give up waiting after S seconds (default 3600)
  --tf-dir DIR       terraform folder to read outputs from (default: terraform/ next to scripts/)
  --dry-run          print the aws commands instead of running them
  -h, --help         this text

Environment overrides (skip `terraform output`): LOADGEN_CLUSTER, LOADGEN_TASK_DEFINITION, LOADGEN_SUBNETS
(comma-separated), LOADGEN_SECURITY_GROUP, AWS_REGION, LOG_GROUP_NAME.
EOF
}

die() { # die <exit code> <message>
  printf 'start-load-run: %s\n' "$2" >&2
  exit "$1"
}
say() { printf 'start-load-run: %s\n' "$*" >&2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tf_dir="$script_dir/../terraform"
run_id=""
count=""
mode="split"
k6_script=""
wait_for_end=false
wait_timeout=3600
dry_run=false

while (($#)); do
  case "$1" in
    --run-id) run_id=${2-}; shift 2 || die 2 "--run-id needs a value" ;;
    --count) count=${2-}; shift 2 || die 2 "--count needs a value" ;;
    --mode) mode=${2-}; shift 2 || die 2 "--mode needs a value" ;;
    --script) k6_script=${2-}; shift 2 || die 2 "--script needs a value" ;;
    --wait) wait_for_end=true; shift ;;
    --wait-timeout) wait_timeout=${2-}; shift 2 || die 2 "--wait-timeout needs a value" ;;
    --tf-dir) tf_dir=${2-}; shift 2 || die 2 "--tf-dir needs a value" ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die 2 "unknown option: $1" ;;
  esac
done

command -v node >/dev/null 2>&1 || die 2 "node is needed (it builds and reads the JSON the AWS CLI takes and returns)"
$dry_run || command -v aws >/dev/null 2>&1 || die 2 "the AWS CLI (aws) is not installed or not on PATH"

# One terraform output, unless an environment variable already gives it.
tf_output() { # tf_output <name>
  command -v terraform >/dev/null 2>&1 || die 2 "terraform is not on PATH (or set the LOADGEN_* variables, see --help)"
  local value
  value=$(terraform -chdir="$tf_dir" output -raw "$1" 2>/dev/null) ||
    die 2 "terraform output $1 failed in $tf_dir: run 'terraform apply' there first (or pass --tf-dir)"
  printf '%s' "$value"
}

cluster=${LOADGEN_CLUSTER:-$(tf_output ecs_cluster_name)}
task_definition=${LOADGEN_TASK_DEFINITION:-$(tf_output loadgen_task_definition)}
subnets=${LOADGEN_SUBNETS:-$(tf_output loadgen_subnet_ids)}
security_group=${LOADGEN_SECURITY_GROUP:-$(tf_output loadgen_security_group_id)}
region=${AWS_REGION:-$(tf_output aws_region)}
log_group=${LOG_GROUP_NAME:-$(tf_output log_group_name)}
[[ -n $count ]] || count=$(tf_output load_generators)
[[ -n $k6_script ]] || k6_script=$(tf_output k6_script)

# --- validate -------------------------------------------------------------------------------------------------------
[[ $count =~ ^[1-9][0-9]{0,2}$ ]] || die 2 "--count must be a whole number from 1 to 999 (got '$count')"
[[ $mode == split || $mode == replicate ]] || die 2 "--mode must be split or replicate (got '$mode')"
[[ $k6_script =~ ^[A-Za-z0-9._-]+\.js$ ]] || die 2 "--script must be a .js file name in the image's /scripts (got '$k6_script')"
[[ $wait_timeout =~ ^[1-9][0-9]*$ ]] || die 2 "--wait-timeout must be a number of seconds (got '$wait_timeout')"
if [[ -z $run_id ]]; then
  run_id="run-$(date -u +%Y%m%d-%H%M%S)-$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')"
fi
# Same rule as the middleware applies to X-Run-Id: anything else would be replaced there and the run lost.
[[ $run_id =~ ^[A-Za-z0-9._:-]{1,128}$ ]] || die 2 "--run-id must be 1-128 characters of A-Z a-z 0-9 . _ : - (got '$run_id')"
for value in "$cluster" "$task_definition" "$subnets" "$security_group" "$region"; do
  [[ -n $value ]] || die 2 "an ECS setting is empty (cluster, task definition, subnets, security group, region)"
done

# startedBy allows letters, digits, '-', '_' and '/' (max 128): map the rest of the run id onto '-'.
started_by="logjam/${run_id//[^A-Za-z0-9_-]/-}"
started_by=${started_by:0:128}
network="awsvpcConfiguration={subnets=[${subnets}],securityGroups=[${security_group}],assignPublicIp=ENABLED}"

# --overrides JSON for one call: RUN_ID (+ the k6 execution segment in split mode) and the script to run.
overrides_json() { # overrides_json <segment or ''> <sequence or ''>
  node -e '
    const [runId, script, segment, sequence] = process.argv.slice(1);
    const environment = [{ name: "RUN_ID", value: runId }];
    if (segment) {
      environment.push({ name: "K6_EXECUTION_SEGMENT", value: segment });
      environment.push({ name: "K6_EXECUTION_SEGMENT_SEQUENCE", value: sequence });
    }
    const command = ["run", "--quiet", "--no-color", "/scripts/" + script];
    process.stdout.write(JSON.stringify({ containerOverrides: [{ name: "k6", environment, command }] }));
  ' "$run_id" "$k6_script" "$1" "$2"
}

# Fractions i/N, written unreduced (k6 accepts 2/4 as well as 1/2).
fraction() { # fraction <i> <n>
  if (($1 == 0)); then printf '0'; elif (($1 == $2)); then printf '1'; else printf '%d/%d' "$1" "$2"; fi
}

started_arns=()

# Stop what this run already started: a run with missing segments or copies would be analysed as if it were whole.
abort_run() { # abort_run <message>
  say "$1"
  if ((${#started_arns[@]})); then
    say "stopping the ${#started_arns[@]} task(s) this run already started"
    for arn in "${started_arns[@]}"; do
      aws ecs stop-task --region "$region" --cluster "$cluster" --task "$arn" \
        --reason "logjam run $run_id aborted: not all generators started" >/dev/null ||
        say "could not stop $arn (stop it in the ECS console)"
    done
  fi
  exit 1
}

# run_task <count> <overrides JSON>: starts tasks and appends their ARNs to started_arns.
run_task() {
  local n=$1 overrides=$2
  local args=(ecs run-task --region "$region" --cluster "$cluster" --task-definition "$task_definition"
    --launch-type FARGATE --count "$n" --started-by "$started_by"
    --network-configuration "$network" --overrides "$overrides" --output json)
  if $dry_run; then
    printf 'aws'
    printf " %q" "${args[@]}"
    printf '\n'
    return 0
  fi
  local response
  response=$(aws "${args[@]}") || abort_run "aws ecs run-task failed (see the message above)"
  # tasks[].taskArn on stdout, one a line; failures (capacity, bad config) on stderr with their reasons.
  local parsed
  parsed=$(printf '%s' "$response" | node -e '
    let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
      let body; try { body = JSON.parse(text); } catch { console.error("unreadable answer from aws ecs run-task"); process.exit(3); }
      for (const f of body.failures ?? []) console.error(`failure: ${f.reason ?? "?"} ${f.detail ?? ""} ${f.arn ?? ""}`.trim());
      for (const t of body.tasks ?? []) console.log(t.taskArn);
    });
  ') || abort_run "could not read the answer of aws ecs run-task"
  local got=0 arn
  while IFS= read -r arn; do
    [[ -n $arn ]] || continue
    started_arns+=("$arn")
    got=$((got + 1))
  done <<<"$parsed"
  ((got == n)) || abort_run "ECS started $got of $n task(s) in this call"
}

say "run id: $run_id"
say "starting $count k6 task(s) ($mode mode, /scripts/$k6_script) on cluster $cluster in $region"

if [[ $mode == split ]]; then
  sequence=""
  if ((count > 1)); then
    for ((i = 0; i <= count; i++)); do sequence+="${sequence:+,}$(fraction "$i" "$count")"; done
  fi
  for ((i = 0; i < count; i++)); do
    segment=""
    if ((count > 1)); then segment="$(fraction "$i" "$count"):$(fraction $((i + 1)) "$count")"; fi
    run_task 1 "$(overrides_json "$segment" "$sequence")"
  done
else
  remaining=$count
  while ((remaining > 0)); do
    batch=$((remaining > 10 ? 10 : remaining)) # run-task starts at most 10 tasks per call
    run_task "$batch" "$(overrides_json "" "")"
    remaining=$((remaining - batch))
  done
fi

$dry_run || say "started ${#started_arns[@]} task(s); their output goes to log group $log_group (streams k6/...)"

if $wait_for_end && ! $dry_run; then
  say "waiting for the generators to finish (at most ${wait_timeout}s)"
  deadline=$((SECONDS + wait_timeout))
  while :; do
    # describe-tasks takes at most 100 tasks per call.
    summary=""
    for ((i = 0; i < ${#started_arns[@]}; i += 100)); do
      page=$(aws ecs describe-tasks --region "$region" --cluster "$cluster" --tasks "${started_arns[@]:i:100}" --output json) ||
        die 1 "aws ecs describe-tasks failed"
      summary+=$(printf '%s' "$page" | node -e '
        let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
          const body = JSON.parse(text);
          for (const t of body.tasks ?? []) {
            const k6 = (t.containers ?? []).find((c) => c.name === "k6") ?? {};
            console.log([t.lastStatus ?? "UNKNOWN", k6.exitCode ?? "none", (t.stoppedReason ?? "").replace(/\s+/g, " ")].join("\t"));
          }
        });
      ')$'\n'
    done
    running=$(awk -F'\t' 'NF && $1 != "STOPPED"' <<<"$summary" | wc -l)
    if ((running == 0)); then break; fi
    ((SECONDS < deadline)) || die 1 "$running generator(s) still running after ${wait_timeout}s (run id $run_id)"
    sleep 15
  done
  ok=$(awk -F'\t' '$2 == "0"' <<<"$summary" | wc -l)
  thresholds=$(awk -F'\t' '$2 == "99"' <<<"$summary" | wc -l)
  failed=$((${#started_arns[@]} - ok - thresholds))
  say "generators finished: $ok ok, $thresholds with failed k6 thresholds (exit 99), $failed failed"
  if ((failed > 0)); then
    awk -F'\t' 'NF && $2 != "0" && $2 != "99" { print "  exit " $2 ": " $3 }' <<<"$summary" >&2
  fi
fi

printf 'run id: %s\n' "$run_id"
printf 'logjam analyze --run %s --log-group %s --region %s\n' "$run_id" "$log_group" "$region"

if $wait_for_end && ! $dry_run && ((failed > 0)); then exit 1; fi
exit 0
