package org.discoverweekly.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The because track against a direct computation of Hu, Koren and Volinsky's formula. */
class BecauseTracksTest {

  /** Four tracks with rank-2 factors: y0 = (1, 0), y1 = (0, 1), y2 = (1, 1), y3 = (2, -1). */
  private static final float[] FACTORS = {1, 0, 0, 1, 1, 1, 2, -1};

  private static final double ALPHA = 2;
  private static final double LAMBDA = 0.5;

  private static BecauseTracks.Items items() {
    return new BecauseTracks.Items(FACTORS, 2, BecauseTracks.Items.gram(FACTORS, 2), ALPHA, LAMBDA);
  }

  /**
   * The term of played track j in slot i's score, written out for rank 2: W = A⁻¹ with A = YᵀY + Σ
   * α r yyᵀ + λ n I over the played tracks, the term (1 + α rⱼ) yᵢᵀ W yⱼ.
   */
  private static double directTerm(int[] played, double[] ratings, int slot, int j) {
    double[][] a = new double[2][2];
    for (int t = 0; t < 4; t++) {
      for (int p = 0; p < 2; p++) {
        for (int q = 0; q < 2; q++) {
          a[p][q] += FACTORS[2 * t + p] * FACTORS[2 * t + q];
        }
      }
    }
    int positives = 0;
    for (int k = 0; k < played.length; k++) {
      for (int p = 0; p < 2; p++) {
        for (int q = 0; q < 2; q++) {
          a[p][q] += ALPHA * ratings[k] * FACTORS[2 * played[k] + p] * FACTORS[2 * played[k] + q];
        }
      }
      positives += ratings[k] > 0 ? 1 : 0;
    }
    a[0][0] += LAMBDA * positives;
    a[1][1] += LAMBDA * positives;
    double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    double[][] w = {{a[1][1] / det, -a[0][1] / det}, {-a[1][0] / det, a[0][0] / det}};
    double[] yi = {FACTORS[2 * slot], FACTORS[2 * slot + 1]};
    double[] yj = {FACTORS[2 * played[j]], FACTORS[2 * played[j] + 1]};
    double form = 0;
    for (int p = 0; p < 2; p++) {
      for (int q = 0; q < 2; q++) {
        form += yi[p] * w[p][q] * yj[q];
      }
    }
    return (1 + ALPHA * ratings[j]) * form;
  }

  @Test
  void shouldComputeEachPlayedTracksTermAsTheFormulaDoes() {
    int[] played = {0, 1, 3};
    double[] ratings = {3, 0.5, 1};
    int[] slots = {2, 3};

    double[][] terms = BecauseTracks.terms(items(), played, ratings, slots);

    for (int s = 0; s < slots.length; s++) {
      for (int j = 0; j < played.length; j++) {
        assertEquals(directTerm(played, ratings, slots[s], j), terms[s][j], 1e-12, s + "/" + j);
      }
    }
  }

  @Test
  void shouldNameThePlayedTrackWithTheLargestTerm() {
    int[] played = {0, 1, 3};
    double[] ratings = {3, 0.5, 1};
    int[] slots = {2, 3};
    int[] expected = new int[slots.length];
    for (int s = 0; s < slots.length; s++) {
      int best = 0;
      for (int j = 1; j < played.length; j++) {
        if (directTerm(played, ratings, slots[s], j)
            > directTerm(played, ratings, slots[s], best)) {
          best = j;
        }
      }
      expected[s] = played[best];
    }

    assertArrayEquals(expected, BecauseTracks.because(items(), played, ratings, slots));
  }

  @Test
  void shouldNeverNameATrackTheUserOnlyLiked() {
    int[] played = {0, 1, 3};
    double[] ratings = {3, 0.5, 1};
    int[] slots = {2};
    int best = BecauseTracks.because(items(), played, ratings, slots)[0];
    boolean[] reasons = {true, true, true};
    for (int j = 0; j < played.length; j++) {
      reasons[j] = played[j] != best;
    }

    int because = BecauseTracks.because(items(), played, ratings, reasons, slots)[0];

    assertTrue(because >= 0 && because != best, "the best track " + best + " was only liked");
  }

  @Test
  void shouldNameNoTrackWithoutAPositiveRating() {
    int[] because = BecauseTracks.because(items(), new int[] {1}, new double[] {0}, new int[] {2});

    assertArrayEquals(new int[] {-1}, because);
  }
}
