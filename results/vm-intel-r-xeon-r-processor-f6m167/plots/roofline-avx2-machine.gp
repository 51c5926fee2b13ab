# resbench plot: roofline-avx2-machine (data in roofline-avx2-machine.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-machine.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "Roofline, machine domain (2 thread(s)): FMA peak 55 GFLOP/s, triad 30.2 GB/s (2026-12-01T09:48:56Z)"
set xlabel "arithmetic intensity (FLOP per byte of input + weights + output, each once)"
set ylabel "GFLOP/s"
set logscale xy
set xrange [0.1:1000]
set yrange [0.1:375.798]
roof(x) = x * 30.1895 < 55.1722 ? x * 30.1895 : 55.1722
set label 1 "FMA peak" at 200,55.1722*1.15
set label 2 "triad 30 GB/s" at 0.15,5.88695 rotate by 30

plot roof(x) with lines lw 3 lc rgb '#404040' title "roofline", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-machine.dat' index 0 using 1:2 with points pt 7 ps 1.5 title "resbench avx2 (direct)", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-machine.dat' index 1 using 1:2 with points pt 7 ps 1.5 title "onednn", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-machine.dat' index 2 using 1:2 with points pt 7 ps 1.5 title "libxsmm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-machine.dat' index 3 using 1:2 with points pt 7 ps 1.5 title "libxsmm_gemm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-avx2-machine.dat' index 4 using 1:2 with points pt 7 ps 1.5 title "resbench avx2 (winograd_f4)"
