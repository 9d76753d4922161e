# Reads Maven's output (mvn -B) and prints what ./run-tests shows in quiet mode: a line per
# module once its tests have run ("passed, failed, skipped" from Surefire's Results block), each
# failing test with its message, and compile or goal errors. Writes "passed failed skipped" for
# the whole build to the file named by -v total=FILE. With -v verbose=1 it also echoes every line.
function flush() {
  if (module != "" && ran) {
    printf "run-tests: %-14s %d passed, %d failed, %d skipped\n", module, run - fail - skip, fail, skip
  }
  ran = 0; run = 0; fail = 0; skip = 0
}
{ if (verbose == 1) print; fflush() }
/^\[INFO\] -+< [^:]+:[^ ]+ >-+$/ {
  flush(); module = $0; sub(/^.*:/, "", module); sub(/ >.*$/, "", module); inresults = 0; next
}
/^\[(INFO|WARNING|ERROR)\] Results:/ { inresults = 1; next }
inresults && /^\[(INFO|WARNING|ERROR)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$/ {
  line = $0; sub(/^\[[A-Z]+\] /, "", line)
  n = split(line, f, /(: |, )/)
  for (i = 1; i < n; i += 2) {
    if (f[i] == "Tests run") run = f[i + 1] + 0
    else if (f[i] == "Failures" || f[i] == "Errors") fail += f[i + 1]
    else if (f[i] == "Skipped") skip = f[i + 1] + 0
  }
  ran = 1; inresults = 0
  P += run - fail - skip; F += fail; S += skip
  flush()
  next
}
verbose != 1 && inresults && /^\[ERROR\]   / { l = $0; sub(/^\[ERROR\] +/, "", l); print "run-tests:   FAILED " l; next }
verbose != 1 && /^\[ERROR\] (Failed to execute goal|COMPILATION ERROR|.*\.java:\[[0-9]+,[0-9]+\])/ { print "run-tests: " $0 }
END { flush(); if (total != "") printf "%d %d %d\n", P, F, S > total }
