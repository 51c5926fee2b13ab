# resbench plot: roofline-ref-machine (data in roofline-ref-machine.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-machine.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "Roofline, machine domain (2 thread(s)): FMA peak 135 GFLOP/s, triad 15.7 GB/s (2026-12-01T09:07:37Z)"
set xlabel "arithmetic intensity (FLOP per byte of input + weights + output, each once)"
set ylabel "GFLOP/s"
set logscale xy
set xrange [0.1:1000]
set yrange [0.1:504.995]
roof(x) = x * 15.7198 < 135.173 ? x * 15.7198 : 135.173
set label 1 "FMA peak" at 200,135.173*1.15
set label 2 "triad 16 GB/s" at 0.15,3.06536 rotate by 30

plot roof(x) with lines lw 3 lc rgb '#404040' title "roofline", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-machine.dat' index 0 using 1:2 with points pt 7 ps 1.5 title "resbench ref (direct)", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-machine.dat' index 1 using 1:2 with points pt 7 ps 1.5 title "onednn", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-machine.dat' index 2 using 1:2 with points pt 7 ps 1.5 title "libxsmm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-machine.dat' index 3 using 1:2 with points pt 7 ps 1.5 title "libxsmm_gemm", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/roofline-ref-machine.dat' index 4 using 1:2 with points pt 7 ps 1.5 title "resbench ref (winograd_f4)"
