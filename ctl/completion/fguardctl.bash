# bash completion for fguardctl
_fguardctl() {
	local cur prev cmd
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=${COMP_WORDS[1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		# the tool lists its own subcommands
		COMPREPLY=($(compgen -W "$(fguardctl help 2>/dev/null | awk '/^  [a-z]/ {print $1}')" -- "$cur"))
		return
	fi
	case $prev in
	--pid)
		# live pids of guarded-capable processes
		COMPREPLY=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"))
		return ;;
	--mode) COMPREPLY=($(compgen -W "enforce complain" -- "$cur")); return ;;
	--ns|-o) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--root|--cwd) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	esac
	case $cmd in
	load) COMPREPLY=($(compgen -W "--pid --ns --mode" -- "$cur") $(compgen -f -- "$cur")) ;;
	unload) COMPREPLY=($(compgen -W "--pid --ns" -- "$cur")) ;;
	mode) COMPREPLY=($(compgen -W "--pid --ns enforce complain" -- "$cur")) ;;
	status) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
	monitor) COMPREPLY=($(compgen -W "--pid --ns --json --count" -- "$cur")) ;;
	learn) COMPREPLY=($(compgen -W "--pid --ns --duration -o" -- "$cur") $(compgen -f -- "$cur")) ;;
	import-trace) COMPREPLY=($(compgen -W "-o --root --cwd --no-resolve" -- "$cur") $(compgen -f -- "$cur")) ;;
	*) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _fguardctl fguardctl
