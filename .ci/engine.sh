# A Docker engine for the engine tests (sourced by .ci/run; bash).
#
# engine_start: use the engine at DOCKER_HOST (or the default socket) if it answers;
# otherwise start a dockerd whose data root, exec root, pid file and unix socket are in
# a new temporary folder, wait until it answers, and export DOCKER_HOST. An EXIT trap
# stops that dockerd and removes the folder, on success and on failure alike.

_engine_dir=""
_engine_pid=""

engine_answers() {
  timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

engine_stop() {
  local rc=$?
  if [ -n "$_engine_pid" ] && kill -0 "$_engine_pid" 2>/dev/null; then
    # Containers a failed test left behind would keep mounts busy.
    local ids
    ids=$(docker ps -aq 2>/dev/null || true)
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
    kill -TERM "$_engine_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$_engine_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$_engine_pid" 2>/dev/null || true
    wait "$_engine_pid" 2>/dev/null || true
  fi
  if [ -n "$_engine_dir" ] && [ -d "$_engine_dir" ]; then
    # Overlay mounts under the data root go with the daemon; anything left is unmounted
    # before the folder is removed, so rm never crosses into a mounted file system.
    grep -o " $_engine_dir/[^ ]*" /proc/self/mounts 2>/dev/null | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done || true
    rm -rf --one-file-system "$_engine_dir" || true
  fi
  _engine_pid=""
  _engine_dir=""
  return $rc
}

engine_start() {
  if engine_answers; then
    echo "engine: using the engine at ${DOCKER_HOST:-the default socket}"
    return 0
  fi
  _engine_dir=$(mktemp -d /tmp/applc-engine.XXXXXX)
  trap engine_stop EXIT
  local sock="$_engine_dir/docker.sock"
  dockerd \
    --data-root "$_engine_dir/data" \
    --exec-root "$_engine_dir/exec" \
    --pidfile "$_engine_dir/dockerd.pid" \
    --host "unix://$sock" \
    >"$_engine_dir/dockerd.log" 2>&1 &
  _engine_pid=$!
  export DOCKER_HOST="unix://$sock"
  for _ in $(seq 1 120); do
    if engine_answers; then
      echo "engine: started dockerd (pid $_engine_pid) at $DOCKER_HOST"
      return 0
    fi
    if ! kill -0 "$_engine_pid" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  echo "engine: dockerd did not answer; its log:" >&2
  tail -n 40 "$_engine_dir/dockerd.log" >&2 || true
  return 1
}
