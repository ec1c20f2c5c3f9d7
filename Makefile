# Makefile for event_catalog (PGXS)

EXTENSION   = event_catalog
MODULE_big  = event_catalog
OBJS        = src/event_catalog.o src/guc.o src/catalog_cache.o \
              src/rules.o src/problems.o src/versions.o src/customer_write.o \
              src/timestamp_parse.o src/validate.o src/ingest.o src/profiles.o
DATA        = $(wildcard sql/event_catalog--*.sql)
PGFILEDESC  = "event_catalog - Optimove OOTB events in PostgreSQL"

# pg_regress suites: sql/NAME.sql against expected/NAME.out
REGRESS     = setup catalog validate validate_events guc define_event \
              cache_invalidation hostile ingest profiles profiles_property self_exclusion self_exclusion_property reports fuzz security

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
	@echo "PostgreSQL 15 server development files are missing; make test or make demo installs them (apt-get install postgresql-server-dev-15)" >&2; exit 1
endif

.PHONY: test bench demo werror memcheck

# memory safety: part of the suite against a server under valgrind, and no
# growth over 10M validations in one statement
memcheck:
	bash test/memcheck.sh

# the main job: a cluster with a realistic sample feed loaded, and the reports
demo:
	PG_CONFIG=$(PG_CONFIG) bash test/demo.sh

# the README's test command: builds, installs, runs every suite on a
# throw-away cluster and ends with "N passed, N failed"
test:
	PG_CONFIG=$(PG_CONFIG) bash test/run.sh

bench:
	PG_CONFIG=$(PG_CONFIG) bash test/bench/run.sh

# warning-clean build, as CI checks it
werror:
	$(MAKE) clean
	$(MAKE) EC_EXTRA_CFLAGS=-Werror
