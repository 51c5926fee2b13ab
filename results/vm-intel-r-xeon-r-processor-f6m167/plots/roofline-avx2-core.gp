# resbench plot: roofline-avx2-core (data in roofline-avx2-core.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-core.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "Roofline, core domain (1 thread(s)): FMA peak 44 GFLOP/s, triad 12.3 GB/s (2026-12-01T09:48:48Z)"
set xlabel "arithmetic intensity (FLOP per byte of input + weights + output, each once)"
set ylabel "GFLOP/s"
set logscale xy
set xrange [0.1:1000]
set yrange [0.1:238.95]
roof(x) = x * 12.2833 < 43.5589 ? x * 12.2833 : 43.5589
set label 1 "FMA peak" at 200,43.5589*1.15
set label 2 "triad 12 GB/s" at 0.15,2.39524 rotate by 30

plot roof(x) with lines lw 3 lc rgb '#404040' title "roofline", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-core.dat' index 0 using 1:2 with points pt 7 ps 1.5 title "resbench avx2 (direct)", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-core.dat' index 1 using 1:2 with points pt 7 ps 1.5 title "onednn", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-core.dat' index 2 using 1:2 with points pt 7 ps 1.5 title "libxsmm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-core.dat' index 3 using 1:2 with points pt 7 ps 1.5 title "libxsmm_gemm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-core.dat' index 4 using 1:2 with points pt 7 ps 1.5 title "resbench avx2 (winograd_f4)"
