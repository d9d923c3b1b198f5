# SPDX-License-Identifier: MIT
# Real software in the lab, sourced after lib.sh by the scenarios that use it:
# baresip (a softphone, driven by bsctl.py through its ctrl_tcp module),
# linphonec (a softphone, driven through a pipe), Kamailio with rtpengine (a
# proxy and a userspace media relay), coturn (STUN and TURN). Every program runs in a lab namespace under `timeout`, with a
# configuration written into the scenario's work directory, and is killed by
# the scenario's EXIT trap: no system service, no file outside the work
# directory.

# The real programs must be installed (scripts/deps.sh test installs them);
# root is checked by lab_start, as for every scenario.
lab_require_real() {
	[ "$(id -u)" -eq 0 ] || return 0
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			lab_die "missing program: $t (scripts/deps.sh test installs baresip-core, linphone-cli, kamailio, kamailio-xml-modules, rtpengine-daemon, coturn)"
	done
}

# lab_baresip ROLE IP ACCOUNT [CONFIG_LINE...]: a baresip in ROLE's namespace,
# SIP on IP:5060, ctrl_tcp on 127.0.0.1:4444 of that namespace, a 440 Hz tone
# as its microphone and no loudspeaker; ACCOUNT is its accounts line. Its RTP
# ports are 10000-10003 unless a CONFIG_LINE says otherwise (a CONFIG_LINE
# replaces the default line of its key; module lines add).
lab_baresip() {
	local role=$1 ip=$2 account=$3 dir
	shift 3
	dir=$LAB_WORK/bs-$role
	mkdir -p "$dir"
	{
		cat <<-CONF
			poll_method		epoll
			sip_listen		$ip:5060
			call_local_timeout	120
			call_max_calls		4
			audio_source		ausine,440
			audio_player		aubridge,$role
			audio_alert		aubridge,$role
			audio_buffer		20-160
			ausrc_srate		48000
			ausrc_channels		2
			rtp_ports		10000-10003
			rtcp_mux		no
			jitter_buffer_delay	5-10
			rtp_stats		yes
			module_path		/usr/lib/baresip/modules
			module			g711.so
			module			ausine.so
			module			aubridge.so
			module			stun.so
			module			turn.so
			module			ice.so
			module_tmp		account.so
			module_app		menu.so
			module_app		ctrl_tcp.so
			ctrl_tcp_listen		127.0.0.1:4444
		CONF
	} >"$dir/config"
	# a CONFIG_LINE replaces the default of its key (baresip reads the first)
	local l key
	for l in "$@"; do
		key=${l%%[[:space:]]*}
		case $key in
		module | module_tmp | module_app) ;;
		*) sed -i "/^$key[[:space:]]/d" "$dir/config" ;;
		esac
		printf '%s\n' "$l" >>"$dir/config"
	done
	printf '%s\n' "$account" >"$dir/accounts"
	: >"$dir/contacts"
	lab_bg "$role" timeout "${LAB_BARESIP_TIMEOUT:-90}" baresip -f "$dir" -v
	LAB_KILL9+=("$LAST_PID")
}

# lab_bsctl ROLE STEP...: bsctl.py against ROLE's baresip, in the foreground.
lab_bsctl() {
	local role=$1
	shift
	ip netns exec "$(ns_name "$role")" timeout 120 python3 "$LAB_DIR/bsctl.py" 127.0.0.1:4444 "$@" \
		>>"$LAB_WORK/bsctl-$role.log" 2>&1
}

# lab_bsctl_bg ROLE STEP...: the same in the background (LAST_PID).
lab_bsctl_bg() {
	local role=$1
	shift
	ip netns exec "$(ns_name "$role")" timeout 120 python3 "$LAB_DIR/bsctl.py" 127.0.0.1:4444 "$@" \
		>>"$LAB_WORK/bsctl-$role.log" 2>&1 &
	LAB_PIDS+=("$!")
	LAST_PID=$!
}

# lab_coturn ROLE IP [OPTION...]: coturn as a STUN and TURN server on IP:3478
# (UDP), long-term credentials lab/lab in realm "lab", relay addresses on IP.
lab_coturn() {
	local role=$1 ip=$2
	shift 2
	lab_bg "$role" timeout "${LAB_TURN_TIMEOUT:-90}" turnserver -n --listening-ip="$ip" --relay-ip="$ip" \
		--listening-port=3478 --min-port=49152 --max-port=49200 --lt-cred-mech --user=lab:lab --realm=lab \
		--no-tls --no-dtls --no-tcp --no-cli --no-rfc5780 --log-file=stdout --simple-log \
		--pidfile="$LAB_WORK/turnserver-$role.pid" "$@"
}

# lab_rtpengine ROLE IP [OPTION...]: rtpengine in userspace (no kernel
# forwarding table) relaying media on IP ports 30000-30099, its ng control
# protocol on 127.0.0.1:2223 of ROLE's namespace.
lab_rtpengine() {
	local role=$1 ip=$2
	shift 2
	lab_bg "$role" timeout "${LAB_RTPENGINE_TIMEOUT:-90}" rtpengine --foreground --log-stderr --table=-1 \
		--interface="$ip" --listen-ng=127.0.0.1:2223 --port-min=30000 --port-max=30099 \
		--pidfile="$LAB_WORK/rtpengine-$role.pid" --log-level=6 "$@"
}

# lab_kamailio ROLE IP [DEFINE...]: Kamailio with tests/lab/kamailio/lab.cfg
# on IP:5060, in the foreground, its runtime files in the work directory.
lab_kamailio() {
	local role=$1 ip=$2 d defs=()
	shift 2
	for d in "$@"; do defs+=(-A "$d"); done
	mkdir -p "$LAB_WORK/kam-$role"
	lab_bg "$role" timeout "${LAB_KAMAILIO_TIMEOUT:-90}" kamailio -f "$LAB_DIR/kamailio/lab.cfg" -DD -E \
		-A "LISTEN_IP=$ip" "${defs[@]}" -Y "$LAB_WORK/kam-$role" -P "$LAB_WORK/kam-$role/kamailio.pid" \
		-m 32 -M 4
}

# lab_wait_udp ROLE PORT: until something listens on UDP PORT in ROLE's namespace (10 s).
lab_wait_udp() {
	local i
	for i in $(seq 100); do
		in_ns "$1" ss -Hlun "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	lab_die "nothing listens on UDP port $2 in $(ns_name "$1")"
}

# lab_linphone ROLE IP RTP_PORT [CONFIG_LINE...]: linphonec (liblinphone 5.1)
# in ROLE's namespace, SIP on IP:5060, audio RTP on RTP_PORT, no sound card:
# its microphone is a WAV file (a 400 Hz tone, looped). Commands go
# in with lab_linphone_cmd. CONFIG_LINEs are added at the end of its linphonerc
# (sections and keys, e.g. a [nat_policy_0] with a STUN server).
lab_linphone() {
	local role=$1 ip=$2 port=$3 dir
	shift 3
	dir=$LAB_WORK/lp-$role
	mkdir -p "$dir/.local/share/linphone"
	{
		cat <<-CONF
			[sip]
			sip_port=5060
			sip_tcp_port=-1
			sip_tls_port=-1
			bind_address=$ip
			contact="$role" <sip:$role@$ip>
			guess_hostname=0
			use_ipv6=0
			[rtp]
			audio_rtp_port=$port
			video_rtp_port=$((port + 10))
			[sound]
			echocancellation=0
			[misc]
			max_calls=1
		CONF
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$dir/rc"
	mkfifo "$dir/in"
	lab_bg "$role" env HOME="$dir" timeout "${LAB_LINPHONE_TIMEOUT:-90}" \
		sh -c 'exec linphonec -c "$1/rc" -d 5 -l "$1/log" <"$1/in"' sh "$dir"
	LAB_KILL9+=("$LAST_PID")
	# the script holds the command pipe open (fd 8) until it ends
	exec 8>"$dir/in"
	lab_linphone_cmd "soundcard use files"
	# a 400 Hz tone (a whole number of periods in every 20 ms frame: the
	# captures compress well)
	python3 -c 'import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 400 * i / 8000))) for i in range(8000 * 10)))' \
		"$dir/tone.wav"
	lab_linphone_cmd "play $dir/tone.wav"
}

# lab_linphone_cmd COMMAND: one linphonec command.
lab_linphone_cmd() {
	printf '%s\n' "$1" >&8
}

# lab_wait_event ROLE EVENT [SECONDS]: until bsctl.py (running for ROLE in
# the background) has logged baresip's EVENT (e.g. CALL_ESTABLISHED); the
# scenario's timeline then starts there (lab_mark), not when Python did.
lab_wait_event() {
	local i n=$((${3:-15} * 10))
	for i in $(seq $n); do
		grep -q "event $2 " "$LAB_WORK/bsctl-$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	lab_die "no $2 from $1's baresip in ${3:-15} s (see $LAB_WORK/bsctl-$1.log)"
}
