# resbench plot: radix (data in radix.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "resnest: throughput against radix (224 px, batch-normalised)"
set xlabel "radix"
set ylabel "images/s (blocks: through layer1.0..layer4.0)"
set logscale x 2
set yrange [0:*]

plot 'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 0 using 1:2 with linespoints lw 2 pt 7 title "1x64d ref core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 1 using 1:2 with linespoints lw 2 pt 7 title "1x64d ref machine 2t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 2 using 1:2 with linespoints lw 2 pt 7 title "2x40d ref core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 3 using 1:2 with linespoints lw 2 pt 7 title "2x40d ref machine 2t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 4 using 1:2 with linespoints lw 2 pt 7 title "4x24d ref core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 5 using 1:2 with linespoints lw 2 pt 7 title "4x24d ref machine 2t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 6 using 1:2 with linespoints lw 2 pt 7 title "1x64d avx2 core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 7 using 1:2 with linespoints lw 2 pt 7 title "1x64d avx2 machine 2t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 8 using 1:2 with linespoints lw 2 pt 7 title "2x40d avx2 core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 9 using 1:2 with linespoints lw 2 pt 7 title "2x40d avx2 machine 2t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 10 using 1:2 with linespoints lw 2 pt 7 title "4x24d avx2 core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/radix.dat' index 11 using 1:2 with linespoints lw 2 pt 7 title "4x24d avx2 machine 2t, blocks"
