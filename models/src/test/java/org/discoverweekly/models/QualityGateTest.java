package org.discoverweekly.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.discoverweekly.models.RankingQuality.Metrics;
import org.junit.jupiter.api.Test;

class QualityGateTest {

  private static final QualityGate.Settings GATE = new QualityGate.Settings(0.10, 0.50, 0.02);

  private static Metrics ndcg(double ndcg) {
    return new Metrics(30, 100, 0, 0, ndcg, 0, 0);
  }

  @Test
  void shouldAcceptAlsThatBeatsPopularityByTheMargin() {
    QualityGate.Verdict verdict =
        QualityGate.judge(ndcg(0.23), ndcg(0.20), OptionalDouble.empty(), GATE);

    assertTrue(verdict.accepted(), verdict.reason());
  }

  @Test
  void shouldRejectAlsThatBeatsPopularityByLessThanTheMargin() {
    QualityGate.Verdict verdict =
        QualityGate.judge(ndcg(0.21), ndcg(0.20), OptionalDouble.empty(), GATE);

    assertFalse(verdict.accepted());
    assertTrue(verdict.reason().contains("below popularity"), verdict.reason());
  }

  @Test
  void shouldRejectAlsThatFellMoreThanTheDropBelowTheLastAcceptedWeek() {
    QualityGate.Verdict verdict =
        QualityGate.judge(ndcg(0.24), ndcg(0.10), OptionalDouble.of(0.50), GATE);

    assertFalse(verdict.accepted());
    assertTrue(verdict.reason().contains("last accepted week"), verdict.reason());
  }

  @Test
  void shouldRejectAWeekWithNoUserEvaluated() {
    Metrics none = new Metrics(30, 0, 0, 0, 0, 0, 0);

    assertFalse(QualityGate.judge(none, none, OptionalDouble.empty(), GATE).accepted());
  }

  @Test
  void shouldServeAChallengerOnlyWhenItBeatsTheChampionByTheLift() {
    QualityGate.Verdict better = QualityGate.challenge(ndcg(0.30), ndcg(0.31), GATE);
    QualityGate.Verdict barely = QualityGate.challenge(ndcg(0.30), ndcg(0.305), GATE);
    QualityGate.Verdict worse = QualityGate.challenge(ndcg(0.30), ndcg(0.20), GATE);

    assertTrue(better.accepted(), better.reason());
    assertFalse(barely.accepted(), barely.reason());
    assertFalse(worse.accepted(), worse.reason());
    assertTrue(worse.reason().contains("below the champion's 0.3000"), worse.reason());
  }

  @Test
  void shouldNeverServeAChallengerWithNoUserEvaluated() {
    Metrics none = new Metrics(30, 0, 0, 0, 0, 0, 0);

    assertFalse(QualityGate.challenge(none, none, GATE).accepted());
  }
}
