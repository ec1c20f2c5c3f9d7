# test/citus/lib.sh: Citus for the Citus suite (test/citus/run.sh) and
# make bench: find it installed, or build it once from the vendored source
# (../shared/vendor/citus-<version>.tar.gz, next to the repository) into a
# cache outside the repository, and a coordinator + 2 workers on loopback.
# Sourced after test/lib.sh (EC_PG_CONFIG, EC_PG_BIN, ec_as_owner, ec_log).

EC_CITUS_VERSION=${EC_CITUS_VERSION:-12.1.12}

# the source tarball, when there is one
ec_citus_tarball() {
	local repo=$1 t
	for t in "${EC_CITUS_TARBALL:-}" "$repo/../shared/vendor/citus-$EC_CITUS_VERSION.tar.gz" \
			"/work/shared/vendor/citus-$EC_CITUS_VERSION.tar.gz"; do
		[ -n "$t" ] && [ -f "$t" ] && { echo "$t"; return 0; }
	done
	return 1
}

# the build cache: one directory per Citus version and PostgreSQL server
ec_citus_cache_dir() {
	local base=${EC_CITUS_CACHE:-}
	if [ -z "$base" ]; then
		if [ "$(id -u)" -eq 0 ] || [ -w /var/cache ]; then
			base=/var/cache/event_catalog
		else
			base=${XDG_CACHE_HOME:-$HOME/.cache}/event_catalog
		fi
	fi
	local tag
	tag=$(printf '%s' "$("$EC_PG_CONFIG" --version) $("$EC_PG_CONFIG" --pkglibdir)" | md5sum | cut -c1-8)
	echo "$base/citus-$EC_CITUS_VERSION-$tag"
}

# Debian packages the Citus build needs beyond the server headers
ec_citus_build_deps() {
	local missing="" p
	for p in libkrb5-dev libzstd-dev liblz4-dev; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	command -v apt-get >/dev/null || return 1
	ec_log "installing$missing for the Citus build (apt-get)"
	$EC_SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 || {
		$EC_SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
		$EC_SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1
	}
}

# Citus usable by the server of EC_PG_CONFIG: installed already, or built
# from the vendored source (cached) and installed.  On failure prints why
# on stdout (one line) and returns 1.
ec_citus_ensure() {
	local repo=$1 libdir sharedir tarball cache
	libdir=$("$EC_PG_CONFIG" --pkglibdir)
	sharedir=$("$EC_PG_CONFIG" --sharedir)
	if [ -f "$libdir/citus.so" ] && [ -f "$sharedir/extension/citus.control" ]; then
		return 0
	fi
	# the vendored release builds against 14 to 16 only
	case "$EC_PG_MAJOR" in
	14|15|16) ;;
	*) echo "Citus $EC_CITUS_VERSION supports PostgreSQL 14 to 16, not $("$EC_PG_CONFIG" --version), and no Citus is installed for it"; return 1 ;;
	esac
	tarball=$(ec_citus_tarball "$repo") || {
		echo "Citus is not installed for $("$EC_PG_CONFIG" --version) and no source tarball citus-$EC_CITUS_VERSION.tar.gz was found"
		return 1
	}
	cache=$(ec_citus_cache_dir)
	if [ ! -f "$cache/.built" ]; then
		ec_citus_build_deps || { echo "the Citus build needs libkrb5-dev libzstd-dev liblz4-dev, which could not be installed"; return 1; }
		ec_log "building Citus $EC_CITUS_VERSION into $cache (once; about a minute)"
		rm -rf "$cache"
		mkdir -p "$cache"
		tar xzf "$tarball" -C "$cache" --strip-components=1 || { echo "could not unpack $tarball"; return 1; }
		if ! ( cd "$cache" && ./configure --without-libcurl PG_CONFIG="$EC_PG_CONFIG" >build.log 2>&1 &&
				make -j"$(nproc)" >>build.log 2>&1 ); then
			echo "the Citus build failed (see $cache/build.log)"
			return 1
		fi
		touch "$cache/.built"
	fi
	( cd "$cache" && $EC_SUDO make install >>"$cache/install.log" 2>&1 ) || {
		echo "installing Citus failed (see $cache/install.log)"
		return 1
	}
}

# psql on node $1 (0 = coordinator) of the cluster started last
ec_citus_psql() {
	local node=$1
	shift
	"$EC_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$EC_CITUS_DIR/n$node" -p $((EC_CITUS_PORT + node)) \
		-U postgres -d "${EC_CITUS_DB:-postgres}" "$@"
}

# a coordinator and two workers in $1 on ports $2, $2+1, $2+2, listening
# on loopback (the nodes connect to each other over TCP) and on a unix
# socket in each node's directory; Citus created and the workers added
ec_citus_cluster_start() {
	local dir=$1 port=$2 n
	EC_CITUS_DIR=$dir
	EC_CITUS_PORT=$port
	mkdir -p "$dir"
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
	for n in 0 1 2; do
		ec_as_owner mkdir -p "$dir/n$n"
		ec_as_owner "$EC_PG_BIN/initdb" -D "$dir/n$n/data" -U postgres --auth=trust -E UTF8 \
			--locale=C.UTF-8 >"$dir/n$n/initdb.log" 2>&1 ||
		ec_as_owner "$EC_PG_BIN/initdb" -D "$dir/n$n/data" -U postgres --auth=trust -E UTF8 \
			--locale=C >"$dir/n$n/initdb.log" 2>&1 || { cat "$dir/n$n/initdb.log" >&2; return 1; }
		ec_as_owner "$EC_PG_BIN/pg_ctl" -D "$dir/n$n/data" -l "$dir/n$n/server.log" -w \
			-o "-p $((port + n)) -c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir/n$n' -c shared_preload_libraries=citus -c max_prepared_transactions=50 -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB -c max_wal_size=4GB -c citus.node_conninfo=sslmode=disable -c max_connections=200 -c wal_level=logical" \
			start >/dev/null || { cat "$dir/n$n/server.log" >&2; return 1; }
		ec_citus_psql "$n" -c "CREATE EXTENSION citus" >/dev/null || return 1
	done
	ec_citus_psql 0 -c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $port)" \
		-c "SELECT pg_catalog.citus_add_node('127.0.0.1', $((port + 1)))" \
		-c "SELECT pg_catalog.citus_add_node('127.0.0.1', $((port + 2)))" >/dev/null || return 1
}

# a database $1 on every node of the cluster started last, with Citus in
# it and the workers added (Citus 12.1 propagates neither CREATE DATABASE
# nor its node list: each database is a cluster of its own)
ec_citus_database_create() {
	local db=$1 n
	for n in 0 1 2; do
		ec_citus_psql "$n" -d postgres -c "CREATE DATABASE $db" >/dev/null &&
			EC_CITUS_DB=$db ec_citus_psql "$n" -c "CREATE EXTENSION citus" >/dev/null || return 1
	done
	EC_CITUS_DB=$db ec_citus_psql 0 -c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $EC_CITUS_PORT)" \
		-c "SELECT pg_catalog.citus_add_node('127.0.0.1', $((EC_CITUS_PORT + 1)))" \
		-c "SELECT pg_catalog.citus_add_node('127.0.0.1', $((EC_CITUS_PORT + 2)))" >/dev/null
}

ec_citus_cluster_stop() {
	local dir=$1 mode=${2:-fast} n
	for n in 0 1 2; do
		[ -f "$dir/n$n/data/postmaster.pid" ] &&
			ec_as_owner "$EC_PG_BIN/pg_ctl" -D "$dir/n$n/data" -m "$mode" -w stop >/dev/null 2>&1
	done
	return 0
}
