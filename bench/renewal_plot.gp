# The nightly cost curve from bench/renewal_bench.sh's TSV: share of the zone's signed RRsets
# re-signed each night, with --sig-jitter 0 (before issue 18) and with the default spread.
# gnuplot -e "data='X.tsv'; out='X.svg'; names='100000'" bench/renewal_plot.gp
set terminal svg size 720,360 font "sans,11" background rgb "white"
set output out
set datafile separator "\t"
set key top right
set title sprintf("Nightly re-signing, %s names, 60 nights (0.1 %% changes, night 20 skipped, ZSK roll at night 30)", names) font "sans,11"
set xlabel "night"
set ylabel "RRsets re-signed (% of the zone)"
set xrange [0:60]
set yrange [0:105]
set grid ytics
set style data linespoints
plot data using (strcol(1) eq "0" ? $2 : NaN):(100.0 * $4 / $3) skip 1 title "before: --sig-jitter 0" \
       lw 1.5 pt 7 ps 0.4 lc rgb "#c0392b", \
     data using (strcol(1) eq "0" ? NaN : $2):(100.0 * $4 / $3) skip 1 title "after: default spread" \
       lw 1.5 pt 7 ps 0.4 lc rgb "#2471a3"
