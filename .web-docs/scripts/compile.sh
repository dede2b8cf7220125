#!/usr/bin/env bash
# Compiles the docs rendered by `packer-sdc renderdocs` into the layout the Packer integrations
# registry reads: .web-docs/README.md and .web-docs/components/<type>/<slug>/README.md. The registry
# wants the page bodies without their front matter, and slugs that match metadata.hcl, so the table
# below is the single place that maps a docs page to its component. Usage: compile.sh RENDERED OUT
set -euo pipefail

rendered=${1:?usage: compile.sh RENDERED_DOCS_DIR WEB_DOCS_DIR}
out=${2:?usage: compile.sh RENDERED_DOCS_DIR WEB_DOCS_DIR}

# page under the rendered docs | registry component type | slug (the name after the plugin prefix)
components=(
  "post-processors/azure-gallery.mdx post-processor azure-gallery"
  "builders/importer.mdx builder import"
  "datasources/version.mdx data-source version"
)

# body prints a page without its leading front matter block (--- ... ---) and the blank lines after it.
body() {
  awk 'NR == 1 && /^---[[:space:]]*$/ { fm = 1; next }
       fm && /^---[[:space:]]*$/ { fm = 0; skip = 1; next }
       fm { next }
       skip && /^[[:space:]]*$/ { next }
       { skip = 0; print }' "$1"
}

fail() { echo "web-docs: $*" >&2; exit 1; }

[[ -f $rendered/README.md ]] || fail "$rendered/README.md is missing (docs/README.md is the integration's overview)"
[[ -f $out/metadata.hcl ]] || fail "$out/metadata.hcl is missing"

# Every component page must be in the table, so a new page cannot be silently left out.
while IFS= read -r page; do
  rel=${page#"$rendered"/}
  known=false
  for c in "${components[@]}"; do [[ ${c%% *} == "$rel" ]] && known=true; done
  $known || fail "$rel has no entry in the components table of $0"
done < <(find "$rendered/builders" "$rendered/datasources" "$rendered/post-processors" "$rendered/provisioners" \
           -name '*.mdx' 2>/dev/null | sort)

rm -rf "$out/components" "$out/README.md"
body "$rendered/README.md" > "$out/README.md"
for c in "${components[@]}"; do
  read -r page type slug <<<"$c"
  [[ -f $rendered/$page ]] || fail "$rendered/$page is missing"
  grep -q '@include' "$rendered/$page" && fail "$page still has an @include (renderdocs did not resolve it)"
  mkdir -p "$out/components/$type/$slug"
  body "$rendered/$page" > "$out/components/$type/$slug/README.md"
  # metadata.hcl must list the component with the same type and slug.
  awk -v t="$type" -v s="$slug" '
    /component[[:space:]]*\{/ { inblk = 1; ty = ""; sl = "" }
    inblk && /type[[:space:]]*=/ { ty = $0; sub(/.*=[[:space:]]*"/, "", ty); sub(/".*/, "", ty) }
    inblk && /slug[[:space:]]*=/ { sl = $0; sub(/.*=[[:space:]]*"/, "", sl); sub(/".*/, "", sl) }
    inblk && /\}/ { if (ty == t && sl == s) found = 1; inblk = 0 }
    END { exit found ? 0 : 1 }' "$out/metadata.hcl" \
    || fail "metadata.hcl has no component { type = \"$type\" slug = \"$slug\" }"
done
n_meta=$(grep -c '^[[:space:]]*component[[:space:]]*{' "$out/metadata.hcl")
[[ $n_meta -eq ${#components[@]} ]] || fail "metadata.hcl lists $n_meta components, the docs have ${#components[@]}"
echo "web-docs: README.md and ${#components[@]} components written to $out"
