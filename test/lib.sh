# lib.sh: shell helpers shared by test/run.sh, test/demo.sh and
# test/bench/run.sh: installing what is missing, building, and a throw-away
# PostgreSQL cluster that runs as the postgres user when we are root
# (PostgreSQL refuses to run as root) and as ourselves otherwise.

# PG_CONFIG names the server to build and test against, any release from
# 15 to 18 (its own packages, or a source build such as test/pg_build.sh
# makes); without it, Debian's PostgreSQL 15 (installed when missing)
EC_PG_MAJOR=15
if [ -n "${PG_CONFIG:-}" ] && [ "$PG_CONFIG" != pg_config ]; then
	EC_PG_CONFIG=$PG_CONFIG
	command -v "$EC_PG_CONFIG" >/dev/null || { printf '==> PG_CONFIG=%s: no such program\n' "$EC_PG_CONFIG" >&2; exit 1; }
	EC_PG_BIN=$("$EC_PG_CONFIG" --bindir)
	EC_PGXS_DIR=$(dirname "$(dirname "$(dirname "$("$EC_PG_CONFIG" --pgxs)")")")
	EC_PG_MAJOR=$("$EC_PG_CONFIG" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
	EC_PG_GIVEN=1
else
	EC_PG_BIN=/usr/lib/postgresql/$EC_PG_MAJOR/bin
	EC_PGXS_DIR=/usr/lib/postgresql/$EC_PG_MAJOR/lib/pgxs
	EC_PG_CONFIG=$EC_PG_BIN/pg_config
	[ -x "$EC_PG_CONFIG" ] || EC_PG_CONFIG=/usr/bin/pg_config
	EC_PG_GIVEN=0
fi
export PATH="$EC_PG_BIN:$PATH"

if [ "$(id -u)" -eq 0 ]; then
	EC_SUDO=""
else
	EC_SUDO="sudo"
fi

ec_log() { printf '==> %s\n' "$*" >&2; }

# what of the server the suites need is missing (nothing printed: all there)
ec_server_missing() {
	local f
	for f in "$EC_PG_BIN/initdb" "$EC_PGXS_DIR/src/test/regress/pg_regress" \
			"$EC_PGXS_DIR/src/test/isolation/pg_isolation_regress"; do
		[ -x "$f" ] || echo "$f"
	done
	[ -f "$EC_PGXS_DIR/src/test/perl/PostgreSQL/Test/Cluster.pm" ] ||
		echo "$EC_PGXS_DIR/src/test/perl (the TAP modules: configure --enable-tap-tests)"
}

# install the Debian packages we need, only when something is missing; a
# server named by PG_CONFIG is taken as it is
ec_install_deps() {
	local missing="" pg_packages=""
	if [ "$EC_PG_GIVEN" = 0 ]; then
		[ -z "$(ec_server_missing)" ] || missing=1
		pg_packages="postgresql-$EC_PG_MAJOR postgresql-server-dev-$EC_PG_MAJOR"
	elif [ -n "$(ec_server_missing)" ]; then
		ec_log "PostgreSQL $EC_PG_MAJOR of PG_CONFIG=$EC_PG_CONFIG lacks what the tests need:"
		ec_server_missing | sed 's/^/    /' >&2
		return 1
	fi
	command -v make >/dev/null && command -v gcc >/dev/null || missing=1
	perl -MIPC::Run -e 1 2>/dev/null || missing=1
	/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing=1
	if [ -n "$missing" ]; then
		ec_log "installing ${pg_packages:+PostgreSQL $EC_PG_MAJOR and }build tools (apt-get)"
		$EC_SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		# shellcheck disable=SC2086
		$EC_SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			make gcc $pg_packages libipc-run-perl python3-psycopg2 >/dev/null
	fi
	if [ "$EC_PG_GIVEN" = 0 ]; then
		EC_PG_CONFIG=$EC_PG_BIN/pg_config
		[ -x "$EC_PG_CONFIG" ] || EC_PG_CONFIG=/usr/bin/pg_config
	fi
}

# build and install the extension from the repository root ($1), from
# clean: objects left by a build for another server (make test
# PG_CONFIG=..., then make demo) or with other flags are not linked in
ec_build_install() {
	( cd "$1" && make -s clean PG_CONFIG="$EC_PG_CONFIG" >/dev/null 2>&1 && \
	  make -s PG_CONFIG="$EC_PG_CONFIG" EC_EXTRA_CFLAGS="${EC_EXTRA_CFLAGS-}" && \
	  $EC_SUDO make -s install PG_CONFIG="$EC_PG_CONFIG" >/dev/null )
}

# run a command as the cluster's owner
ec_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# start a throw-away cluster in directory $1 on port $2; its unix socket
# is in $1 too, TCP is off
ec_cluster_start() {
	local dir=$1 port=$2
	mkdir -p "$dir"
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$dir"
	fi
	ec_as_owner "$EC_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	ec_as_owner "$EC_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
		--locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
	ec_as_owner "$EC_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-p $port -c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c max_prepared_transactions=10 -c shared_buffers=512MB -c max_wal_size=4GB -c work_mem=64MB -c maintenance_work_mem=256MB" \
		start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
	export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

ec_cluster_stop() {
	local dir=$1 mode=${2:-fast}
	[ -f "$dir/data/postmaster.pid" ] &&
		ec_as_owner "$EC_PG_BIN/pg_ctl" -D "$dir/data" -m "$mode" -w stop >/dev/null 2>&1
	return 0
}

# a free port from $1 upwards
ec_free_port() {
	local port=$1
	while [ -e "/tmp/.s.PGSQL.$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		port=$((port + 1))
	done
	echo "$port"
}
