#!/bin/bash
# Plot file names reach matplotlib as arguments of a child process, never through a shell
# (issue 16, r17): a name with quotes and shell syntax is just a name, and a plot that fails
# is an error of the program, not exit status 0.
set -u
$PYTHON -c "import sys; sys.path.insert(0, '$ROOT/tests/spectrum'); import reference as r; r.problem('p', [4, 5, 3], 'tanh', 'cross_entropy', n=20)" || exit 1
spectrum() { $BIN/krylearn-spectrum -model p-model.h5 -data p-data.h5 -top 1 -density -density_steps 5 -density_grid 50 -o p.h5 "$@" > out.txt 2>&1; }
fail() { echo "FAIL: $*"; cat out.txt; exit 1; }

# the reproducer's name: its directory part does not exist, so the plot must fail, loudly
spectrum -plot "$PWD/x'; touch $PWD/INJECTED; echo '.png" && fail "a plot into a missing directory exited 0"
grep -q "Plotting .* with matplotlib failed" out.txt || fail "no message naming the failed plot"
test -e INJECTED && fail "the file name ran as a shell command"

# the same characters in a plain file name: the file is drawn under exactly that name
name="x'; touch INJECTED; echo '.png"
spectrum -plot "$name" || fail "a name with quotes was not plotted"
test -e INJECTED && fail "the file name ran as a shell command"
head -c 8 "$name" | od -An -c | grep -q "P   N   G" || fail "'$name' is not a PNG"

spectrum -plot "John's plot.png" || fail "John's plot.png was not plotted"
test -s "John's plot.png" || fail "John's plot.png is missing"

# an output file that cannot be created is an error too
spectrum -o no/such/dir/p.h5 && fail "an unwritable output file exited 0"
grep -q "Output file no/such/dir/p.h5: cannot create the HDF5 file" out.txt || fail "no message naming the unwritable output file"
echo "plot checks passed"
