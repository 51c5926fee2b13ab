# resbench plot: cost (data in cost.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/cost.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "Block time against multiply-adds (ref core 1t): what FLOPs hide"
set xlabel "G multiply-adds per image (convolutions and FCs)"
set ylabel "ms per image"
set xrange [0:*]
set yrange [0:*]

plot 'results/vm-intel-r-xeon-r-processor-f6m167/plots/cost.dat' index 0 using 1:2 with points pt 7 ps 1.5 title "resnest", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cost.dat' index 1 using 1:2 with points pt 7 ps 1.5 title "resnet", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cost.dat' index 2 using 1:2 with points pt 7 ps 1.5 title "se", \
     'results/vm-intel-r-xeon-r-processor-f6m167/plots/cost.dat' index 3 using 1:2 with points pt 7 ps 1.5 title "sk"
