# resbench plot: peers-resnet50-ref-machine (data in peers-resnet50-ref-machine.dat)
set terminal pngcairo size 900,600 noenhanced font ',11'
set output 'results/vm-intel-r-xeon-r-processor-f6m167/plots/peers-resnet50-ref-machine.png'
set key below
set grid
set offsets graph 0.02, graph 0.02, 0, 0
set title "Speed-up of resbench over the peers, layer by layer: resnet50, ref, machine domain (2 thread(s))\n(peer time / resbench time: > 1 means resbench is faster)"
set ylabel "peer time / resbench time"
set logscale y
set xtics rotate by -40 font ',8'
set xrange [-0.5:22.5]
set bmargin 11

plot 'results/vm-intel-r-xeon-r-processor-f6m167/plots/peers-resnet50-ref-machine.dat' index 0 using 1:2:xtic(3) with points pt 7 ps 1.5 title "over onednn"
