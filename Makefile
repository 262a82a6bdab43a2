# Tessera's build, after DuckDB: a thin Makefile over CMake. Binaries land in build/<preset>/.
#   make / make release   optimised build                   -> build/release/
#   make debug            ASan + UBSan                      -> build/debug/
#   make fuzz             libFuzzer harnesses with clang-14 -> build/fuzz/
#   make test             every ctest test (labels: unit, e2e, fuzz-seed) on the release build
#   make bench            build and run the benchmarks in bench/
#   make demo             install deps, build, generate a synthetic area into demo-hub/, and run
#   make format / format-check
.PHONY: all release debug fuzz test test-debug bench eval-febrl demo format format-check deps clean web

JOBS ?= $(shell nproc)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CMAKE_FLAGS ?=
DEMO_PEOPLE ?= 50000
DEMO_SEED ?= 1
DEMO_DIR ?= demo-hub

all: release

deps:
	@scripts/install-deps

build/release/CMakeCache.txt:
	cmake -S . -B build/release -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

release: build/release/CMakeCache.txt
	cmake --build build/release -j $(JOBS)

build/debug/CMakeCache.txt:
	cmake -S . -B build/debug -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Debug -DTESSERA_SANITIZE=ON $(CMAKE_FLAGS)

debug: build/debug/CMakeCache.txt
	cmake --build build/debug -j $(JOBS)

build/fuzz/CMakeCache.txt:
	CXX=clang++-14 cmake -S . -B build/fuzz -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTESSERA_FUZZ=ON $(CMAKE_FLAGS)

fuzz: build/fuzz/CMakeCache.txt
	cmake --build build/fuzz -j $(JOBS)

# The web app: npm ci only when the lock file changed, then a production build (seconds).
web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web: web/node_modules/.package-lock.json
	cd web && npm run build

test: deps release web
	cd build/release && ctest --output-on-failure -j $(JOBS)

test-debug: deps debug
	cd build/debug && ctest --output-on-failure -j $(JOBS)

bench: release
	@for b in build/release/bench/*_benchmark; do echo "== $$b"; $$b || exit 1; done

# FEBRL3 (de-duplication) and FEBRL4 (two-source linkage): ingest, train, resolve, evaluate.
eval-febrl: release
	examples/febrl/run.sh build/release/tessera

demo: deps release web
	scripts/demo "$(DEMO_DIR)" "$(DEMO_PEOPLE)" "$(DEMO_SEED)"

FORMAT_FILES = $(shell git ls-files '*.cc' '*.h')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build web/dist web/node_modules
