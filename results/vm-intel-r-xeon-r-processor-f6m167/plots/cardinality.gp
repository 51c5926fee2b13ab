# resbench plot: cardinality (data in cardinality.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "resnet: throughput against cardinality (224 px, batch-normalised)"
set xlabel "cardinality"
set ylabel "images/s (blocks: through layer1.0..layer4.0)"
set logscale x 2
set yrange [0:*]

plot 'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 0 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 ref core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 1 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 ref machine 2t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 2 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 ref core 1t, network", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 3 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 ref machine 2t, network", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 4 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 avx2 core 1t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 5 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 avx2 machine 2t, blocks", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 6 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 avx2 core 1t, network", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cardinality.dat' index 7 using 1:2 with linespoints lw 2 pt 7 title "resnet d50 avx2 machine 2t, network"
