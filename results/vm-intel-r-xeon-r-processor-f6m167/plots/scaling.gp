# resbench plot: scaling (data in scaling.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/scaling.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "Scaling from one core to the machine (one pinned thread per core)"
set xlabel "threads"
set ylabel "speed-up over the fewest threads"
set xrange [0.8:2.2]
set yrange [0:*]
set xtics 1
set key font ',8'

plot x with lines dt 2 lw 2 lc rgb 'gray' title "ideal", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/scaling.dat' index 0 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 c1 w64 network r224 auto ref", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/scaling.dat' index 1 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 c1 w64 network r224 auto avx2"
