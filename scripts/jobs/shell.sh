#!/bin/sh
# Job "shell": interactive shell on the serial console, for debugging.
# cttyhack gives it a controlling tty, so ^C and job control work.
# Leave with "exit"; the VM then powers off.
echo "tlbt shell: module tests in /tlbt/bin, jobs in /tlbt/jobs; exit to power off"
exec setsid cttyhack sh -l
