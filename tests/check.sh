# Sourced by the shell tests: `check NAME STATUS` counts a check as passed
# when STATUS (the exit code of the condition) is 0; `finish` prints the
# closing line CI reads and exits non-zero when a check failed.
passed=0
failed=0
check() {
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $1"
    fi
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
