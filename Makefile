# The front door. Every target installs what is missing first
# (scripts/deps.sh: apt-get as root, otherwise it prints the command).
#
#   make bench    build (Release), run the default sweep, write JSON + plots
#   make test     build and run the ctest suite (what CI runs; under CI=true
#                 or CB_CI=1 it also runs `make ci-extra`, below)
#   make lesson   the seeds' experiments in CPython and C: results/lesson-*/
#   make report   the report of the newest results/*.json (or of RESULTS=...,
#                 several files: machines compared); replaces its earlier one
#   make sanitize build and test under address+undefined, then thread
#   make fuzz     libFuzzer targets (clang), FUZZ_SECONDS each (default 60)
#   make valgrind memcheck on a tiny sweep of every executor but mpi
#   make ci-extra sanitize + fuzz + valgrind (installs clang and valgrind)
#   make clean

BUILD   ?= build
TYPE    ?= Release
CMAKE_FLAGS ?=
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CB      := $(BUILD)/corebench
# Extra options for `corebench run`, e.g. make bench ARGS="-k gcd -w 1,2,4";
# with -o FILE the result (and its report) goes there instead of
# results/<UTC date>-<host>.json
ARGS    ?=
FUZZ_SECONDS ?= 60
# CI systems set CI=true; CB_CI=1 asks for the same on any machine.
CB_CI   ?= $(filter true 1 yes,$(CI))

.PHONY: all deps deps-ci build bench check test lesson report sanitize \
        fuzz valgrind ci-extra clean

all: build

deps:
	@bash scripts/deps.sh

deps-ci:
	@bash scripts/deps.sh ci

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory >/dev/null || \
	  cmake --build $(BUILD) -j 1

bench: build
	@bash scripts/bench.sh $(CB) $(ARGS)

# The suite alone, in $(BUILD): what sanitize runs per configuration.
check: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Extra options for python/lesson.py, e.g. make lesson LESSON_ARGS="-r 10"
LESSON_ARGS ?=
lesson: build
	@python3 python/lesson.py --corebench $(CB) $(LESSON_ARGS)

test: check
ifneq ($(strip $(CB_CI)),)
	@$(MAKE) --no-print-directory ci-extra
endif

# The result files to report: RESULTS, else the newest results/*.json.
report: build
	@f="$(RESULTS)"; [ -n "$$f" ] || f=$$(ls -t results/*.json 2>/dev/null | head -n 1); \
	  [ -n "$$f" ] || { echo "make report: no results/*.json (run make bench, or give RESULTS=FILE.json)" >&2; exit 2; }; \
	  $(CB) report $$f

# Sanitizer builds live in their own directories so they never mix with
# the Release build that produces benchmark numbers. TSan runs without
# OpenMP: libgomp is not instrumented, so every barrier reads as a race;
# and without MPI (Open MPI is not instrumented either), which also tests
# the build without MPI (mpi listed as unavailable).
# Every process of the suite (forked workers and sweeps whose exit status
# no test looks at included) writes its sanitizer reports under
# BUILD/sanitizer-reports (world-writable: the lock tests run a sweep as
# nobody): any file there fails the run, on top of the
# tests' own exit statuses.
SAN_CHECK = d=$(1)/sanitizer-reports; \
  if [ -n "$$(ls -A $$d 2>/dev/null)" ]; then \
    echo "sanitizer reports in $$d:"; head -n 40 $$d/*; exit 1; fi; \
  echo "no sanitizer report ($$d)"

sanitize: deps
	@echo "== ASan+UBSan suite (build-asan)"
	@rm -rf build-asan/sanitizer-reports && mkdir -p -m 1777 build-asan/sanitizer-reports
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(CURDIR)/build-asan/sanitizer-reports/asan \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(CURDIR)/build-asan/sanitizer-reports/ubsan \
	  $(MAKE) --no-print-directory check BUILD=build-asan TYPE=Debug \
	  CMAKE_FLAGS="-DCB_SANITIZE='address;undefined' -DCB_WERROR=ON"
	@$(call SAN_CHECK,build-asan)
	@echo "== TSan suite (build-tsan)"
	@rm -rf build-tsan/sanitizer-reports && mkdir -p -m 1777 build-tsan/sanitizer-reports
	@TSAN_OPTIONS=halt_on_error=1:abort_on_error=1:log_path=$(CURDIR)/build-tsan/sanitizer-reports/tsan \
	  $(MAKE) --no-print-directory check BUILD=build-tsan TYPE=Debug \
	  CMAKE_FLAGS="-DCB_SANITIZE=thread -DCB_WERROR=ON -DCB_OPENMP=OFF -DCB_MPI=OFF"
	@$(call SAN_CHECK,build-tsan)

# libFuzzer needs clang; the targets run under ASan+UBSan.
fuzz: deps-ci
	@echo "== fuzzing, $(FUZZ_SECONDS) s per target (build-fuzz)"
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCB_FUZZ=ON -DCB_SANITIZE='address;undefined' -DCB_OPENMP=OFF \
	  -DCB_WERROR=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_results fuzz_run_cli \
	  fuzz_params -- --no-print-directory >/dev/null
	@bash scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

valgrind: deps-ci build
	@echo "== valgrind memcheck, tiny sweep per executor ($(CB))"
	@bash scripts/valgrind.sh $(CB)

ci-extra: deps-ci sanitize fuzz valgrind

clean:
	rm -rf build build-asan build-tsan build-fuzz
