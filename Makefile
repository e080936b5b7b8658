# corvette: the two commands are `make run` and `make test`; each installs what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CONFIG ?= config/demo.yml
# ccache, when the machine has it, makes rebuilds in new build directories and clones cheap.
CCACHE := $(shell command -v ccache 2>/dev/null)
LAUNCHER := $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE) -DCMAKE_C_COMPILER_LAUNCHER=$(CCACHE))

.PHONY: all deps configure build run test unit integration tsan asan bench package format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(LAUNCHER) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	mkdir -p var
	$(BUILD_DIR)/corvette --config $(CONFIG)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L integration

# The whole ctest suite under ThreadSanitizer (build-tsan/) or AddressSanitizer + UBSan
# (build-asan/); docs/testing.md.
SANITIZE_tsan := thread
SANITIZE_asan := address
tsan asan: deps
	@cmake -S . -B build-$@ -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCORVETTE_SANITIZE=$(SANITIZE_$@) \
	  $(LAUNCHER) > /dev/null
	@cmake --build build-$@ -j $(JOBS)
	cd build-$@ && ctest --output-on-failure -j $(JOBS) --timeout 1800

bench: build
	bench/run.sh $(BUILD_DIR)

# The Debian package, build/corvette_<version>_<arch>.deb (docs/packaging.md).
package: build
	cd $(BUILD_DIR) && cpack -G DEB

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf $(BUILD_DIR) build-tsan build-asan
