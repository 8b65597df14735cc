#!/bin/sh
# Shell completion: every long option of `memslope --help` is offered by
# contrib/completion/memslope.bash and contrib/completion/_memslope (zsh);
# the bash one completes options and values when driven like bash does; both
# parse (zsh's only when zsh is installed).
. "${srcdir:-.}/tests/lib.sh"

BASH_COMP="$srcdir/contrib/completion/memslope.bash"
ZSH_COMP="$srcdir/contrib/completion/_memslope"
[ -f "$BASH_COMP" ] && [ -f "$ZSH_COMP" ] || fail "completion files missing"

"$MEMSLOPE" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$TMP/opts"
[ "$(wc -l <"$TMP/opts")" -ge 30 ] || fail "only $(wc -l <"$TMP/opts") long options in --help"
missing=""
while read -r opt; do
	grep -q -- "$opt\\([^a-z-]\\|\$\\)" "$BASH_COMP" || missing="$missing bash:$opt"
	grep -q -- "$opt\\([^a-z-]\\|\$\\)" "$ZSH_COMP" || missing="$missing zsh:$opt"
done <"$TMP/opts"
[ -z "$missing" ] || fail "options of --help missing from completion:$missing"
# And no option that --help does not know (a renamed or removed one).
for f in "$BASH_COMP" "$ZSH_COMP"; do
	for opt in $(grep -o -- "--[a-z][a-z-]*" "$f" | grep -v '^--collector' | sort -u); do
		grep -qx -- "$opt" "$TMP/opts" || fail "$(basename "$f") offers $opt, which --help does not list"
	done
done
ok "all $(wc -l <"$TMP/opts") long options in both completion files"

command -v bash >/dev/null 2>&1 || skip "bash is not installed"
bash -n "$BASH_COMP" || fail "memslope.bash does not parse"
# complete WORDS...: what _memslope offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _memslope; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$BASH_COMP" "$@"
}
[ "$(complete_words memslope --prom- | sort | tr '\n' ' ')" = "--prom-file --prom-top " ] ||
	fail "bash: --prom- completes to: $(complete_words memslope --prom-)"
[ "$(complete_words memslope --log-format '' | sort | tr '\n' ' ')" = "delta snapshot " ] ||
	fail "bash: --log-format values: $(complete_words memslope --log-format '')"
complete_words memslope -p "$$" | grep -qx "$$" || fail "bash: -p does not complete PIDs"
complete_words memslope -- pytho | grep -q '^python3' || fail "bash: the command after -- is not completed"
n=$(complete_words memslope - | wc -l)
[ "$n" -ge "$(wc -l <"$TMP/opts")" ] || fail "bash: '-' completes to only $n options"
ok "bash completion works"

if command -v zsh >/dev/null 2>&1; then
	zsh -n "$ZSH_COMP" || fail "_memslope does not parse"
	head -n 1 "$ZSH_COMP" | grep -qx '#compdef memslope' || fail "_memslope lacks #compdef"
	ok "zsh completion parses"
else
	skip "zsh is not installed (Debian package zsh): _memslope checked for its options only, not parsed"
fi
