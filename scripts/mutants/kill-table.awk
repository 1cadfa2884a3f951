#!/usr/bin/awk -f
# The kill table of make mutants, from build/mutants/results-VER.tsv.
#
#   awk -f kill-table.awk -v fmt=text|md results-VER.tsv   print the tables
#   awk -f kill-table.awk -v fmt=check -v wide=US results-VER.tsv
#       print why the run failed, exit 1: the base shows a K or an F in a
#       race test, or a sick guest (a failed upstream test is only noted); a mutant at US microseconds is not
#       killed (K) in every boot; a mutant did not build.
#
# results.tsv columns: variant mutant delay_us boot kind test result oracle
# count first_op first_secs note; kind is race, upstream, guest or build.
# Per boot and test, result is K (a data oracle fired: "not ok" with a
# tlbt-kill line), S (ok), - (skipped), F (not ok without a kill line, or
# the guest died in it); guest rows hold ok, R<n> (n kernel report
# lines), T (timed out), D (did not finish). A cell is the worst result
# over the boots (K, F, S, -, then . for not run), with N/B when only N of
# the B boots agree; upstream cells count only the boots that ran the
# upstream tests (MUTANT_UPSTREAM_BOOTS).
BEGIN {
	FS = "\t"
	rank["K"] = 5; rank["F"] = 4; rank["S"] = 3; rank["-"] = 2; rank["."] = 1
}
NR == 1 && $1 == "variant" { next }
{
	v = $1; mut = $2; d = $3; b = $4; kind = $5; t = $6; r = $7
	if (!(v in vseen)) { vseen[v] = 1; vs[++nv] = v; vmut[v] = mut; vdelay[v] = d }
	if (kind == "build") { vbuild[v] = $12; next }
	if (!((v, b) in bseen)) { bseen[v, b] = 1; nb[v]++; bl[v, nb[v]] = b }
	if (kind == "guest") { guest[v, b] = r; next }
	if (kind == "upstream") uran[v, b] = 1
	key = kind SUBSEP t
	if (!(key in cseen)) {
		cseen[key] = 1
		if (kind == "race") rc[++nrc] = t; else uc[++nuc] = t
	}
	res[v, b, kind, t] = r
	if (r == "K" && (best[v] == "" || $11 + 0 < bestsecs[v])) {
		bestsecs[v] = $11 + 0
		best[v] = sprintf("%ss op %s %s", $11, $10, short(t))
	}
}

# race.<scenario>.no_corruption: the scenario is what tells them apart.
function short(t) { sub(/^race\./, "", t); sub(/\.no_corruption$/, "", t); return t }

# The cell of variant v for test t of kind k over its boots.
function cell(v, k, t,    i, r, top, n, m) {
	top = "."
	m = 0
	for (i = 1; i <= nb[v]; i++) {
		if (!counts(v, bl[v, i], k)) continue
		m++
		r = ((v, bl[v, i], k, t) in res) ? res[v, bl[v, i], k, t] : "."
		if (rank[r] > rank[top]) top = r
	}
	n = 0
	for (i = 1; i <= nb[v]; i++) {
		if (!counts(v, bl[v, i], k)) continue
		r = ((v, bl[v, i], k, t) in res) ? res[v, bl[v, i], k, t] : "."
		if (r == top) n++
	}
	return n == m ? top : top n "/" m
}

# Does boot b of v count for a cell of kind k? Every boot does for the race
# test (a "." there means the guest died first); for the upstream tests
# only the boots that ran them.
function counts(v, b, k) { return k != "upstream" || ((v, b) in uran) }

# The upstream tests of one boot as one result: F if any failed.
function upboot(v, b,    j, r, top) {
	top = "."
	for (j = 1; j <= nuc; j++) {
		r = ((v, b, "upstream", uc[j]) in res) ? res[v, b, "upstream", uc[j]] : "."
		if (rank[r] > rank[top] && r != "K") top = r
	}
	return top
}

function upcell(v,    i, r, top, n, m) {
	top = "."
	m = 0
	for (i = 1; i <= nb[v]; i++) {
		if (!counts(v, bl[v, i], "upstream")) continue
		m++
		r = upboot(v, bl[v, i])
		if (rank[r] > rank[top]) top = r
	}
	n = 0
	for (i = 1; i <= nb[v]; i++)
		if (counts(v, bl[v, i], "upstream") && upboot(v, bl[v, i]) == top) n++
	return n == m ? top : top n "/" m
}

function guestcell(v,    i, s, same) {
	same = 1
	for (i = 2; i <= nb[v]; i++)
		if (guest[v, bl[v, i]] != guest[v, bl[v, 1]]) same = 0
	if (same) return guest[v, bl[v, 1]]
	s = ""
	for (i = 1; i <= nb[v]; i++) s = s (i > 1 ? " " : "") guest[v, bl[v, i]]
	return s
}

# Print rows[1..nr][1..nc] aligned (text) or as a markdown table.
function emit(nr, nc,    i, j, w, line) {
	for (j = 1; j <= nc; j++) {
		w[j] = 0
		for (i = 0; i <= nr; i++)
			if (length(tab[i, j]) > w[j]) w[j] = length(tab[i, j])
	}
	for (i = 0; i <= nr; i++) {
		line = ""
		for (j = 1; j <= nc; j++) {
			if (fmt == "md") line = line "| " tab[i, j] " "
			else line = line sprintf("%-*s", w[j] + 2, tab[i, j])
		}
		if (fmt == "md") line = line "|"
		else sub(/ +$/, "", line)
		print line
		if (i == 0 && fmt == "md") {
			line = ""
			for (j = 1; j <= nc; j++) line = line "|---"
			print line "|"
		}
	}
}

function tables(    i, j, v, nc) {
	nc = 0
	tab[0, ++nc] = "variant"
	for (j = 1; j <= nrc; j++) tab[0, ++nc] = short(rc[j])
	tab[0, ++nc] = "upstream"
	tab[0, ++nc] = "guest"
	tab[0, ++nc] = "fastest kill"
	for (i = 1; i <= nv; i++) {
		v = vs[i]
		nc = 0
		tab[i, ++nc] = v
		if (v in vbuild) {
			for (j = 2; j <= nrc + 4; j++) tab[i, j] = ""
			tab[i, 2] = "build failed"
			continue
		}
		for (j = 1; j <= nrc; j++) tab[i, ++nc] = cell(v, "race", rc[j])
		tab[i, ++nc] = upcell(v)
		tab[i, ++nc] = guestcell(v)
		tab[i, ++nc] = best[v] == "" ? "-" : best[v]
	}
	emit(nv, nrc + 4)
	if (nuc == 0) return
	print ""
	if (fmt == "md") print "Upstream mm selftests, same boots:\n"
	else print "Upstream mm selftests, same boots:"
	delete tab
	nc = 0
	tab[0, ++nc] = "variant"
	for (j = 1; j <= nuc; j++) tab[0, ++nc] = uc[j]
	for (i = 1; i <= nv; i++) {
		v = vs[i]
		tab[i, 1] = v
		for (j = 1; j <= nuc; j++)
			tab[i, j + 1] = (v in vbuild) ? "" : cell(v, "upstream", uc[j])
	}
	emit(nv, nuc + 1)
}

function check(    i, j, v, k, b, killed, bad, n) {
	bad = 0
	for (i = 1; i <= nv; i++) {
		v = vs[i]
		if (v in vbuild) { print v ": " vbuild[v]; bad = 1; continue }
		if (vmut[v] == "base") {
			for (j = 1; j <= nrc; j++) {
				k = cell(v, "race", rc[j])
				if (k ~ /^[KF]/) { print "base: " short(rc[j]) " " k; bad = 1 }
			}
			# An upstream test that fails on the unpatched kernel
			# (under TCG: migration.shared_anon, split_huge_page,
			# pkeys) says nothing about a mutant: reported, not
			# fatal, as it shows no corruption.
			for (j = 1; j <= nuc; j++) {
				k = cell(v, "upstream", uc[j])
				if (k ~ /^F/)
					print "note: base: upstream " uc[j] " " k \
					      " on the unpatched kernel: its column cannot kill" >"/dev/stderr"
			}
			for (b = 1; b <= nb[v]; b++)
				if (guest[v, bl[v, b]] != "ok") {
					print "base: guest " guest[v, bl[v, b]] " in boot " bl[v, b]; bad = 1
				}
		} else if (vdelay[v] == wide) {
			n = 0
			for (b = 1; b <= nb[v]; b++) {
				killed = 0
				for (j = 1; j <= nrc; j++)
					if (res[v, bl[v, b], "race", rc[j]] == "K") killed = 1
				n += killed
			}
			if (n < nb[v] || nb[v] == 0) {
				print v ": killed in " n " of " nb[v] " boots"; bad = 1
			}
		}
	}
	exit bad
}

END {
	if (fmt == "check") check()
	else tables()
}
