# resbench plot: roofline-ref-core (data in roofline-ref-core.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-core.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "Roofline, core domain (1 thread(s)): FMA peak 115 GFLOP/s, triad 11.1 GB/s (2026-12-01T09:07:30Z)"
set xlabel "arithmetic intensity (FLOP per byte of input + weights + output, each once)"
set ylabel "GFLOP/s"
set logscale xy
set xrange [0.1:1000]
set yrange [0.1:345.062]
roof(x) = x * 11.0631 < 115.021 ? x * 11.0631 : 115.021
set label 1 "FMA peak" at 200,115.021*1.15
set label 2 "triad 11 GB/s" at 0.15,2.15731 rotate by 30

plot roof(x) with lines lw 3 lc rgb '#404040' title "roofline", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-core.dat' index 0 using 1:2 with points pt 7 ps 1.5 title "resbench ref (direct)", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-core.dat' index 1 using 1:2 with points pt 7 ps 1.5 title "onednn", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-core.dat' index 2 using 1:2 with points pt 7 ps 1.5 title "libxsmm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-core.dat' index 3 using 1:2 with points pt 7 ps 1.5 title "libxsmm_gemm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-core.dat' index 4 using 1:2 with points pt 7 ps 1.5 title "resbench ref (winograd_f4)"
