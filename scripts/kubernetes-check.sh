#!/usr/bin/env bash
# The Kubernetes manifests (Docker/kubernetes/), checked offline (`make test-kubernetes`):
# 1. kubernetes-validate --strict against the Kubernetes JSON schemas its wheel ships (an unknown field, a wrong
#    type or a missing required one fails), for the oldest Kubernetes we claim and for the newest it knows;
# 2. what a schema cannot see: the selectors match the pods' labels, the probes ask /readyz and /healthz on the
#    container's port, the pod runs as the image's user, each instance advertises its own address;
# 3. the configuration in the Secret passes `switchboard check-config` with the Deployment's environment.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
OLDEST=${SWITCHBOARD_KUBERNETES_OLDEST:-1.30.0}
MANIFESTS=(Docker/kubernetes/*.yaml)
[ -x "$VENV/bin/kubernetes-validate" ] || { echo "kubernetes-check: no $VENV/bin/kubernetes-validate (make deps-kubernetes)" >&2; exit 1; }

started=$SECONDS
"$VENV/bin/kubernetes-validate" --strict --quiet -k "$OLDEST" "${MANIFESTS[@]}"
"$VENV/bin/kubernetes-validate" --strict --quiet "${MANIFESTS[@]}"
echo "kubernetes-check: ${#MANIFESTS[@]} manifests valid (strict) against Kubernetes $OLDEST and $("$VENV/bin/python" -c 'import kubernetes_validate.utils as u; print(u.latest_version())' 2>/dev/null || echo 'the newest schemas')"

binary=${SWITCHBOARD_BINARY:-}
if [ -z "$binary" ]; then
    for candidate in .build/debug/switchboard .build/release/switchboard; do
        [ -x "$candidate" ] && { binary=$candidate; break; }
    done
fi
if [ -z "$binary" ]; then
    swift build --product switchboard >/dev/null
    binary=.build/debug/switchboard
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$VENV/bin/python" - "$scratch" "${MANIFESTS[@]}" <<'PY'
import re, sys, yaml

scratch, paths = sys.argv[1], sys.argv[2:]
documents = [d for p in paths for d in yaml.safe_load_all(open(p)) if d]
by_kind = {}
for d in documents:
    by_kind.setdefault(d["kind"], []).append(d)
problems = []
def check(condition, message):
    if not condition:
        problems.append(message)

deployment, = by_kind["Deployment"]
service, = by_kind["Service"]
secret, = by_kind["Secret"]
pod = deployment["spec"]["template"]
labels = pod["metadata"]["labels"]
def selects(selector):
    return all(labels.get(k) == v for k, v in selector.items())
check(deployment["spec"]["replicas"] >= 2, "the Deployment runs fewer than two instances")
check(selects(deployment["spec"]["selector"]["matchLabels"]), "the Deployment's selector does not match its pods")
check(selects(service["spec"]["selector"]), "the Service's selector does not match the pods")
for pdb in by_kind.get("PodDisruptionBudget", []):
    check(selects(pdb["spec"]["selector"]["matchLabels"]), "the PodDisruptionBudget's selector does not match the pods")

container, = pod["spec"]["containers"]
ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
env = {e["name"]: e for e in container.get("env", [])}
for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
    get = container.get(probe, {}).get("httpGet", {})
    check(get.get("path") == path, f"{probe} does not ask {path}")
    check(get.get("port") in ports or get.get("port") in ports.values(), f"{probe} asks a port the container does not have")
for port in service["spec"]["ports"]:
    check(port["targetPort"] in ports or port["targetPort"] in ports.values(), "the Service targets a port the container does not have")

# The pod's user is the image's: useradd --uid in the Dockerfile's runtime stage.
dockerfile = open("Docker/Dockerfile").read()
uid = re.search(r"useradd[^\n&]*--uid (\d+)", dockerfile)
check(uid is not None, "the Dockerfile's useradd names no --uid (Kubernetes' runAsNonRoot needs a number)")
if uid:
    check(pod["spec"]["securityContext"].get("runAsUser") == int(uid.group(1)), "runAsUser is not the image's user's uid")
gid = re.search(r"groupadd[^\n&]*--gid (\d+)", dockerfile)
if gid and "runAsGroup" in pod["spec"]["securityContext"]:
    check(pod["spec"]["securityContext"]["runAsGroup"] == int(gid.group(1)), "runAsGroup is not the image's group's gid")

# Each instance advertises its own address: the pod IP, from the downward API.
advertise = env.get("SWITCHBOARD_CLUSTER_ADVERTISEURL", {}).get("value", "")
pod_ip = [n for n, e in env.items() if e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "status.podIP"]
check(any(f"$({n})" in advertise for n in pod_ip), "SWITCHBOARD_CLUSTER_ADVERTISEURL is not built from the pod's IP")

# The Secret is mounted where the container's --config reads it.
args = container.get("args", [])
config_path = args[args.index("--config") + 1] if "--config" in args else "/etc/switchboard/switchboard.json"
volume = next((v for v in pod["spec"]["volumes"] if v.get("secret", {}).get("secretName") == secret["metadata"]["name"]), None)
mount = volume and next((m for m in container["volumeMounts"] if m["name"] == volume["name"]), None)
key = config_path.rsplit("/", 1)[1]
check(mount is not None and config_path == mount["mountPath"].rstrip("/") + "/" + key and key in secret["stringData"],
      f"the Secret is not mounted at {config_path}")

if problems:
    for p in problems:
        print(f"kubernetes-check: FAILED: {p}", file=sys.stderr)
    sys.exit(1)
# What check-config gets: the Secret's file, the Deployment's environment with a sample pod IP.
open(f"{scratch}/switchboard.json", "w").write(secret["stringData"][key])
with open(f"{scratch}/env", "w") as out:
    for name, e in env.items():
        value = "10.0.0.7" if name in pod_ip else e.get("value", "")
        value = re.sub(r"\$\((\w+)\)", lambda m: "10.0.0.7" if m.group(1) in pod_ip else m.group(0), value)
        out.write(f"{name}={value}\n")
print("kubernetes-check: selectors, probes, user, advertise URL and config mount agree")
PY

mapfile -t environment <"$scratch/env"
if ! env -i PATH="$PATH" SWITCHBOARD_LISTEN_HOST=0.0.0.0 "${environment[@]}" \
    "$binary" check-config --config "$scratch/switchboard.json" >"$scratch/effective.json" 2>"$scratch/errors"; then
    cat "$scratch/errors" >&2
    echo "kubernetes-check: FAILED: the Secret's configuration does not pass switchboard check-config" >&2
    exit 1
fi
grep -q '"advertiseURL" *: *"http://10.0.0.7:8080"' "$scratch/effective.json" \
    || { cat "$scratch/effective.json" >&2; echo "kubernetes-check: FAILED: cluster.advertiseURL is not the pod's address" >&2; exit 1; }
echo "kubernetes-check: the Secret's configuration passes switchboard check-config (advertiseURL http://10.0.0.7:8080)"
echo "kubernetes-check: passed in $((SECONDS - started))s"
