# Makefile for event_catalog (PGXS)

EXTENSION   = event_catalog
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" event_catalog.control)
MODULE_big  = event_catalog
OBJS        = src/event_catalog.o src/guc.o src/catalog_cache.o \
              src/rules.o src/problems.o src/versions.o src/customer_write.o \
              src/timestamp_parse.o src/validate.o src/ingest_raw.o src/json_fast.o \
              src/ingest_dedup.o src/ingest_quarantine.o src/ingest_trigger.o \
              src/ingest_load.o src/track.o src/track_batch.o src/profiles.o src/profile_column.o \
              src/locks.o src/tenant.o src/effects.o src/self_exclusion.o src/citus.o src/citus_settings.o
PGFILEDESC  = "event_catalog - Optimove OOTB events in PostgreSQL"

# Install scripts.  sql/event_catalog.sql lists the sources of the current
# version; sql/updates/A--B.sql those of an upgrade.  sql/assemble.awk
# expands their \ir lines into the scripts PostgreSQL runs.  Released
# install scripts are kept as they shipped (sql/event_catalog--1.0.sql), so
# that the upgrade from them is tested.
SQL_SOURCES = $(shell find sql -name '*.sql' ! -name 'event_catalog--*')
DATA        = sql/event_catalog--1.0.sql
DATA_built  = sql/event_catalog--$(EXTVERSION).sql sql/event_catalog--1.0--1.1.sql

# Tests, on PGXS's rails: `make installcheck` runs them against an installed
# server (PGHOST, PGPORT, PGUSER); `make test` also installs and starts one.
#  - pg_regress: test/sql/NAME.sql against expected/NAME.out (pg_regress
#    looks for expected files in its output directory, here the top level,
#    before its input directory)
#  - isolation: test/isolation/specs/NAME.spec against test/isolation/expected
#  - TAP: test/t/*.pl, each starting its own clusters (not as root)
REGRESS      = setup catalog validate validate_events guc define_event \
               cache_invalidation hostile ingest profiles profiles_property \
               self_exclusion self_exclusion_property reports fuzz security rules trust tenants erasure contact \
               effects_property edge_input json_fast stashed_writes batch bulk_dedup load_report typed_columns upkeep_plans distribute restore upgrade
REGRESS_OPTS = --inputdir=test --outputdir=.
ISOLATION    = catalog_invalidation catalog_and_deletes concurrent_loads catalog_parallel load_locks \
               catalog_mid_statement erased_exclusions
ISOLATION_OPTS = --inputdir=test/isolation
TAP_TESTS    = 1
PROVE_TESTS  = test/t/*.pl

PG_CONFIG  ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
              -Wno-missing-field-initializers $(EC_EXTRA_CFLAGS)

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
# no server development files yet: make test and make demo install them
all install installcheck:
	@echo "PostgreSQL server development files are missing ($(PG_CONFIG) --pgxs); make test or make demo installs Debian's (apt-get install postgresql-server-dev-15), or name another server with PG_CONFIG=" >&2; exit 1
endif

# PGXS tracks header dependencies only on servers configured with
# --enable-depend: rebuild every object when a header changes
$(OBJS): $(wildcard src/*.h)

# the install scripts, assembled from their sources
sql/event_catalog--$(EXTVERSION).sql: sql/event_catalog.sql $(SQL_SOURCES) sql/assemble.awk
	awk -f sql/assemble.awk $< > $@

sql/event_catalog--%.sql: sql/updates/%.sql $(SQL_SOURCES) sql/assemble.awk
	awk -f sql/assemble.awk $< > $@

.PHONY: test bench demo werror memcheck installcheck-regress installcheck-isolation installcheck-tap

# the three suites one at a time (make installcheck runs them in a row and
# stops at the first that fails; make test runs each and counts)
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
installcheck-tap:
	$(prove_installcheck)

# memory safety: part of the suite against a server under valgrind, and no
# growth over 10M validations in one statement
memcheck:
	PG_CONFIG=$(PG_CONFIG) bash test/memcheck.sh

# the main job: a cluster with a realistic sample feed loaded, and the reports
demo:
	PG_CONFIG=$(PG_CONFIG) bash test/demo.sh

# the README's test command: builds with -Werror and assertions, installs,
# runs every suite on a throw-away cluster and ends with "N passed, N failed"
test:
	PG_CONFIG=$(PG_CONFIG) bash test/run.sh

bench:
	PG_CONFIG=$(PG_CONFIG) bash test/bench/run.sh

# warning-clean build with assertions, as make test (and so CI) builds
werror:
	$(MAKE) clean
	$(MAKE) EC_EXTRA_CFLAGS="-Werror -DUSE_ASSERT_CHECKING"
