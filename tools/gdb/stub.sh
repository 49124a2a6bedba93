# shellcheck shell=bash
# tools/gdb/stub.sh: start and stop QEMU halted with its GDB stub listening.
# Sourced (bash) by tools/gdb/run-gdb and tests/gdb-test; it owns one QEMU per
# shell, recorded in STUB_PID (the leader of its own session and process
# group) and STUB_PORT. Lifecycle: stub_start, attach gdb to STUB_PORT,
# stub_stop (idempotent; callers run it from an EXIT trap).
#
# The port: QEMU binds 127.0.0.1:0, so the kernel picks a free port and no
# other process can take it between choosing and binding; we then read the
# port back from the listening socket QEMU owns (/proc/net/tcp, matched by
# socket inode against QEMU's file descriptors).
#
# The session: QEMU treats SIGINT as "shut down", and Ctrl-C in the gdb
# terminal is sent to the terminal's foreground process group. Running QEMU
# under setsid keeps it out of that group, so Ctrl-C only interrupts gdb
# (which then stops the guest through the stub). Callers run without job
# control (the default for scripts), so the background job is not a group
# leader and setsid does not fork: STUB_PID is the new session's leader.

STUB_PID=""
STUB_PORT=""

# Print the 127.0.0.1 TCP port on which process $1 or one of its children
# listens; print nothing if there is none yet.
stub_listen_port() {
	local pid=$1 p fd hex inodes=""

	for p in "$pid" $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
		for fd in /proc/"$p"/fd/*; do
			case "$(readlink "$fd" 2>/dev/null)" in
			socket:\[*\]) inodes+=" $(readlink "$fd" | tr -dc 0-9)" ;;
			esac
		done
	done
	[ -n "$inodes" ] || return 0
	# /proc/net/tcp: local address (hex ip:port) in $2, state in $4
	# (0A = LISTEN), inode in $10.
	hex=$(awk -v inodes="$inodes" '
		BEGIN { n = split(inodes, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		$4 == "0A" && ($10 in want) && substr($2, 1, 8) == "0100007F" {
			print substr($2, 10); exit
		}' /proc/net/tcp)
	[ -z "$hex" ] || echo $((16#$hex))
}

# Start QEMU halted at reset with its GDB stub on a free port:
#   stub_start SERIAL_LOG QEMU_LOG ISO [tools/qemu-run options...]
# The guest's serial console goes to SERIAL_LOG, QEMU's own messages to
# QEMU_LOG. Set STUB_PID and STUB_PORT and return 0 once the stub listens;
# return 1 (QEMU stopped, its messages printed) if it does not within 10 s.
stub_start() {
	local serial=$1 qlog=$2 iso=$3
	shift 3

	setsid "$STUB_QEMU_RUN" --gdb 0 --log "$serial" "$@" "$iso" \
		</dev/null >"$qlog" 2>&1 &
	STUB_PID=$!
	for _ in $(seq 100); do
		STUB_PORT=$(stub_listen_port "$STUB_PID")
		[ -n "$STUB_PORT" ] && return 0
		kill -0 "$STUB_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "stub_start: QEMU's GDB stub did not come up; QEMU said:" >&2
	cat "$qlog" >&2
	stub_stop
	return 1
}

# Stop the QEMU started by stub_start (its whole process group: qemu-run's
# timeout wrapper and QEMU), if it still runs, and reap it.
stub_stop() {
	[ -n "$STUB_PID" ] || return 0
	kill -TERM -- -"$STUB_PID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 -- -"$STUB_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 -- -"$STUB_PID" 2>/dev/null && kill -KILL -- -"$STUB_PID" 2>/dev/null
	wait "$STUB_PID" 2>/dev/null
	STUB_PID=""
	STUB_PORT=""
}

STUB_QEMU_RUN="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tools/qemu-run"
