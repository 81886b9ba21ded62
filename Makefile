# The front door. Every target installs what is missing first
# (scripts/deps.sh: apt-get as root, otherwise it prints the command).
#
#   make bench    build (Release), run the default sweep, write JSON + plots
#   make test     build and run the ctest suite (what CI runs)
#   make report RESULTS=results/x.json   plots for an existing result file
#   make sanitize build and test under address+undefined, then thread
#   make clean

BUILD   ?= build
TYPE    ?= Release
CMAKE_FLAGS ?=
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CB      := $(BUILD)/corebench
# Extra options for `corebench run`, e.g. make bench ARGS="-k gcd -w 1,2,4"
ARGS    ?=

.PHONY: all deps build bench test report sanitize clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory >/dev/null || \
	  cmake --build $(BUILD) -j 1

bench: build
	@bash scripts/bench.sh $(CB) $(ARGS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

report: build
	@test -n "$(RESULTS)" || { echo "usage: make report RESULTS=results/FILE.json" >&2; exit 2; }
	@$(CB) report $(RESULTS)

# Sanitizer builds live in their own directories so they never mix with
# the Release build that produces benchmark numbers. TSan runs without
# OpenMP: libgomp is not instrumented, so every barrier reads as a race;
# and without MPI (Open MPI is not instrumented either), which also tests
# the build without MPI (mpi listed as unavailable).
sanitize: deps
	@$(MAKE) --no-print-directory test BUILD=build-asan TYPE=Debug \
	  CMAKE_FLAGS="-DCB_SANITIZE='address;undefined' -DCB_WERROR=ON"
	@$(MAKE) --no-print-directory test BUILD=build-tsan TYPE=Debug \
	  CMAKE_FLAGS="-DCB_SANITIZE=thread -DCB_WERROR=ON -DCB_OPENMP=OFF -DCB_MPI=OFF"

clean:
	rm -rf build build-asan build-tsan
