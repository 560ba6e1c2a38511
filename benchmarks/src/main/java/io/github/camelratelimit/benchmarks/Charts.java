package io.github.camelratelimit.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the adaptive scenario's charts with XChart (PNG). */
final class Charts {

    private Charts() {
    }

    /**
     * One client over time: the provider's capacity (grey steps), the client's permitted rate (blue), its goodput
     * per second (green) and its 429s per second (red crosses, right axis).
     */
    static void adaptive(AdaptiveScenario.Trace tr, Path png) throws IOException {
        XYChart c = new XYChartBuilder().width(1000).height(500)
                .title(tr.spec().label() + " - Retry-After: " + tr.spec().mode().name().toLowerCase(java.util.Locale.ROOT))
                .xAxisTitle("time (s)").yAxisTitle("requests per second").build();
        Styler st = c.getStyler();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        c.getStyler().setMarkerSize(6);
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax((double) AdaptiveScenario.SECONDS);
        c.getStyler().setYAxisMin(0, 0.0);
        c.getStyler().setYAxisMax(0, 120.0);
        c.getStyler().setYAxisMin(1, 0.0);
        c.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        c.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        c.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        c.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        c.getStyler().setDecimalPattern("#0");
        st.setAntiAlias(true);

        double[] capX = {0, 15, 15, 30, 30, 60};
        double[] capY = {50, 50, 20, 20, 80, 80};
        XYSeries cap = c.addSeries("provider capacity", capX, capY);
        cap.setMarker(SeriesMarkers.NONE);
        cap.setLineColor(new Color(120, 120, 120));
        cap.setLineStyle(new BasicStroke(4f));

        List<Double> px = new ArrayList<>();
        List<Double> py = new ArrayList<>();
        for (int i = 0; i < tr.sampleAt().length; i++) {
            if (!Double.isNaN(tr.permitted()[i]) && tr.sampleAt()[i] <= AdaptiveScenario.SECONDS) {
                px.add(tr.sampleAt()[i]);
                py.add(Math.min(tr.permitted()[i], 119.0));
            }
        }
        if (!px.isEmpty()) {
            XYSeries p = c.addSeries("permitted rate", px, py);
            p.setMarker(SeriesMarkers.NONE);
            p.setLineColor(new Color(31, 119, 180));
            p.setLineStyle(new BasicStroke(2f));
        }

        int n = AdaptiveScenario.SECONDS;
        double[] x = new double[n];
        double[] ok = new double[n];
        double[] th = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 0.5;
            ok[i] = tr.ok()[i];
            th[i] = tr.throttled()[i];
        }
        XYSeries g = c.addSeries("goodput (2xx/s)", x, ok);
        g.setMarker(SeriesMarkers.CIRCLE);
        g.setMarkerColor(new Color(44, 160, 44));
        g.setLineColor(new Color(44, 160, 44));
        g.setLineStyle(new BasicStroke(2f));

        List<Double> tx = new ArrayList<>();
        List<Double> ty = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (th[i] > 0) {
                tx.add(x[i]);
                ty.add(th[i]);
            }
        }
        if (tx.isEmpty()) {
            tx.add(-1.0);
            ty.add(0.0);
        }
        XYSeries t = c.addSeries("429s per second (right axis)", tx, ty);
        t.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        t.setMarker(SeriesMarkers.CROSS);
        t.setMarkerColor(new Color(214, 39, 40));
        t.setYAxisGroup(1);
        c.setYAxisGroupTitle(1, "429s per second");
        BitmapEncoder.saveBitmap(c, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
