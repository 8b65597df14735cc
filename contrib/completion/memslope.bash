# bash completion for memslope(1).
# Install as $(datadir)/bash-completion/completions/memslope; works with or
# without the bash-completion package. tests/completion.sh checks that
# every long option of `memslope --help` is listed here.

_memslope_cgroups()
{
	# Cgroup paths relative to the memory controller's mount (v1 or v2).
	local mnt
	mnt=$(awk '($9 == "cgroup2") || ($9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/) {print $5; exit}' \
		/proc/self/mountinfo 2>/dev/null)
	[ -n "$mnt" ] || return
	local cur=$1 base
	case $cur in /*) ;; *) cur=/$cur ;; esac
	while IFS= read -r base; do
		printf '%s\n' "${base#"$mnt"}/"
	done < <(compgen -d -- "$mnt$cur")
}

_memslope()
{
	local cur prev i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	# After "--": the command to launch, then its arguments.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((i == COMP_CWORD - 1)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			fi
			return
		fi
	done

	case $prev in
	-p | --pid)
		mapfile -t COMPREPLY < <(compgen -W "$(ls /proc 2>/dev/null | grep '^[0-9]')" -- "$cur")
		return ;;
	-u | --user)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return ;;
	--file-group)
		mapfile -t COMPREPLY < <(compgen -g -- "$cur")
		return ;;
	-c | --cgroup)
		compopt -o nospace 2>/dev/null
		mapfile -t COMPREPLY < <(_memslope_cgroups "$cur")
		return ;;
	--cgroup-root | --snapshot-dir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--log | -o | --output | --prom-file | --replay | --config)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--log-format)
		mapfile -t COMPREPLY < <(compgen -W "snapshot delta" -- "$cur")
		return ;;
	--on-alert)
		mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		return ;;
	-n | --name | -d | --interval | --log-max-size | --log-keep | --count | --duration | \
		--warn-pct | --crit-pct | --max-growth | --max-usage | --prom-top | --alert-cooldown | \
		--alert-timeout | --check-exit)
		return ;; # a value of the user's
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "
			-p --pid -n --name -u --user -c --cgroup -t --tree --cgroup-root
			-d --interval --pss --no-pss
			--once --json -o --output --headless --log --log-format --log-max-size --log-keep --count --duration --snapshot-dir
			--file-group
			--warn-pct --crit-pct --check --check-exit --max-growth --max-usage
			--ascii --no-color --replay
			--prom-file --prom-top --on-alert --alert-cooldown --alert-timeout
			--config --no-config
			-h --help -V --version --" -- "$cur")
	fi
}
complete -F _memslope memslope
