# The two commands a newcomer needs (see README.md):
#   make run   installs what is missing, builds, and runs Craton's main job: a single-host
#              cluster (craton up) serving three HTTP pods (RUN_ONCE=1: stop after the check)
#   make test  installs what is missing, builds, and runs every test
BUILD ?= build
TYPE ?= RelWithDebInfo
JOBS ?= 2
SANITIZE ?= OFF

RUN_ONCE ?= 0

.PHONY: run sim test check deps configure build clean

run: build
	CRATON=./$(BUILD)/craton RUN_ONCE=$(RUN_ONCE) docs/examples/run-hello.sh

# A simulated cluster of seven store replicas under random faults, replayable from its seed.
sim: build
	./$(BUILD)/craton sim --seed 1 --nodes 7 --duration 60s --faults random

test: build check
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

# The architecture's include rules and clang-format (docs/developer-guide.md).
check: deps
	@./.ci/check-layers
	@./.ci/check-format

deps:
	@./.ci/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(TYPE) -DCRATON_SANITIZE=$(SANITIZE) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

clean:
	rm -rf $(BUILD)
