#!/usr/bin/awk -f
# One make mutants boot's console log (job scripts/jobs/mutants.sh) as
# results.tsv rows (see kill-table.awk), race and upstream tests only:
#
#   awk -f parse-boot.awk -v variant=V -v mutant=M -v delay=D -v boot=B LOG
#
# Race test: its kselftest_harness TAP between "race begin" and "race end".
# The 6.1 harness names a skipped test only on its "#  RUN name ..." line,
# so results are tied to the last RUN line. A "# tlbt-kill:" line in a test
# makes its "not ok" a K; the earliest (first_secs) kill line is kept.
BEGIN { OFS = "\t" }

function row(kind, t, r, note) {
	if (r == "K")
		print variant, mutant, delay, boot, kind, t, r, koracle[t], kcount[t], kop[t], ksecs[t], note
	else
		print variant, mutant, delay, boot, kind, t, r, "", "", "", "", note
}

function kv(s, key,    i, n, f) {
	n = split(s, f, " ")
	for (i = 1; i <= n; i++)
		if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2)
	return ""
}

{ sub(/\r$/, "") }

/^# tlbt-mutants: race begin / { inrace = 1; bin = $5; next }
/^# tlbt-mutants: race end/ {
	if (cur != "") row("race", cur, "F", "no result line")
	cur = ""; inrace = 0; next
}

inrace && /^# +RUN +[^ ]+ \.\.\.$/ {
	if (cur != "") row("race", cur, "F", "no result line")
	cur = $3; next
}

inrace && /^# tlbt-kill: / {
	t = cur == "" ? bin : cur
	secs = kv($0, "first_secs")
	if (!(t in ksecs) || secs + 0 < ksecs[t] + 0) {
		ksecs[t] = secs; kop[t] = kv($0, "first_op"); kcount[t] = kv($0, "count")
	}
	o = kv($0, "oracle")
	if (index("," koracle[t] ",", "," o ",") == 0)
		koracle[t] = koracle[t] == "" ? o : koracle[t] "," o
	next
}

# The whole program skipped (e.g. not enough CPUs).
inrace && /^1\.\.0 # SKIP/ { r = $0; sub(/^1\.\.0 # SKIP */, "", r); row("race", bin, "-", r); next }

inrace && /^(not )?ok [0-9]+( |$)/ {
	notok = $1 == "not"
	rest = $0
	sub(/^(not )?ok [0-9]+ ?/, "", rest)
	note = ""
	if (rest ~ /^# /) {		# "ok N # SKIP reason": unnamed
		name = cur; note = rest
	} else {
		name = rest
		if (match(name, / # /)) { note = substr(name, RSTART + 3); name = substr(name, 1, RSTART - 1) }
	}
	if (notok && name ~ / missing$/) { sub(/ missing$/, "", name); note = "missing" }
	if (name == "") name = cur == "" ? bin : cur
	sub(/^# */, "", note)
	if (note ~ /^SKIP/) r = "-"
	else if (!notok) r = "S"
	else r = (name in ksecs) ? "K" : "F"
	row("race", name, r, note)
	cur = ""; next
}

!inrace && /^(not )?ok [0-9]+ upstream: / {
	notok = $1 == "not"
	rest = $0
	sub(/^(not )?ok [0-9]+ upstream: /, "", rest)
	note = ""
	if (match(rest, / # /)) { note = substr(rest, RSTART + 3); rest = substr(rest, 1, RSTART - 1) }
	r = notok ? "F" : (note ~ /^SKIP/ ? "-" : "S")
	row("upstream", rest, r, note)
}

END { if (inrace && cur != "") row("race", cur, "F", "guest died in it") }
