#!/bin/sh
# Installs the build into a scratch prefix, then builds two consumers against it: one with
# find_package(QPlug) (CMake), one with pkg-config. Usage: run.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
here=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(find "$work/prefix" -name 'libqplug.so' -printf '%h\n' | head -n 1)

# CMake package
cmake -S "$here/consumer" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
LD_LIBRARY_PATH=$libdir "$work/cmake-build/consumer"

# pkg-config
PKG_CONFIG_PATH=$libdir/pkgconfig
export PKG_CONFIG_PATH
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -pedantic -Werror "$here/consumer/main.c" -o "$work/pc-consumer" \
  $(pkg-config --cflags --libs qplug)
LD_LIBRARY_PATH=$libdir "$work/pc-consumer"
test "$(pkg-config --modversion qplug)" = "$(LD_LIBRARY_PATH=$libdir "$work/pc-consumer" | sed 's/consumer: qplug \([^ ]*\) works/\1/')"

# The installed program: a light command, and a heavy one (qplug-commands.so from lib/qplug)
test "$("$work/prefix/bin/qplug" version compare 1.0 1.0.0)" = "="
"$work/prefix/bin/qplug" --index "$work/index.sqlite" repo list >/dev/null
# The example extension, found beside the installed library when a repository of its kind is added
env -u QPLUG_EXTENSION_PATH "$work/prefix/bin/qplug" --index "$work/index.sqlite" repo add gh \
  http://127.0.0.1:9/releases --kind github-releases >/dev/null
echo "install: find_package(QPlug) and pkg-config consumers work; the installed qplug runs and finds its extension"
