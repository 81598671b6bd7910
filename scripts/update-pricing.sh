#!/usr/bin/env bash
# Regenerates enrich's shipped pricing table from the newest litellm package on PyPI (its wheel carries
# LiteLLM's model_prices_and_context_window JSON, MIT), derived as NOTICE.md says, and reports what changed.
#   scripts/update-pricing.sh            # newest litellm
#   scripts/update-pricing.sh 1.80.0     # a given version
# Entries LiteLLM no longer has are kept (reported as such): traffic to a retired model still costs what it
# cost, and LiteLLM drops models users still call (1.110.2 dropped gemini-2.0-flash and deepseek-chat-v3.1).
# DROP_REMOVED=1 drops them.
# Review the report, run the tests, commit the table with the version in the message.
set -euo pipefail
cd "$(dirname "$0")/.."
table=enrich/src/main/resources/pricing/litellm-prices.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download -q --no-deps --only-binary=:all: -d "$tmp" "litellm${1:+==$1}"
wheel=$(ls "$tmp"/litellm-*.whl)
python3 - "$wheel" "$table" "${DROP_REMOVED:-0}" <<'PY'
import json, sys, zipfile
wheel, table, drop_removed = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
KEEP = ["input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost", "cache_creation_input_token_cost",
        "output_cost_per_reasoning_token", "input_cost_per_token_above_200k_tokens", "output_cost_per_token_above_200k_tokens",
        "cache_read_input_token_cost_above_200k_tokens", "cache_creation_input_token_cost_above_200k_tokens",
        "litellm_provider", "mode"]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("model_prices_and_context_window_backup.json"))
    source = json.loads(z.read(name))
derived = {}
for model, entry in source.items():
    if not isinstance(entry, dict) or entry.get("mode") not in ("chat", "completion", "responses"):
        continue
    if not isinstance(entry.get("input_cost_per_token"), (int, float)) or not isinstance(entry.get("output_cost_per_token"), (int, float)):
        continue
    derived[model] = {k: entry[k] for k in sorted(KEEP) if k in entry and entry[k] is not None}
old = json.load(open(table))
added = sorted(set(derived) - set(old))
removed = sorted(set(old) - set(derived))
changed = sorted(k for k in set(old) & set(derived) if old[k] != derived[k])
if not drop_removed:
    derived.update({k: old[k] for k in removed})
with open(table, "w") as f:
    f.write(json.dumps(dict(sorted(derived.items())), indent=0, separators=(",", ":")))
    f.write("\n")
print(f"{wheel.rsplit('/', 1)[-1]}: {len(source)} entries -> {len(derived)} priced chat models "
      f"(was {len(old)}): {len(added)} added, {len(removed)} {'removed' if drop_removed else 'kept though LiteLLM dropped them'}, "
      f"{len(changed)} with new prices")
for title, keys in (("added", added), ("removed" if drop_removed else "kept, no longer in LiteLLM", removed), ("changed", changed)):
    for k in keys[:40]:
        print(f"  {title}: {k}" + (f"  {old[k]} -> {derived[k]}" if title == "changed" else ""))
    if len(keys) > 40:
        print(f"  ... and {len(keys) - 40} more {title}")
PY
echo "Now: NOTICE.md's entry counts, ./mvnw -B -ntp verify -pl enrich, and a commit naming the litellm version."
