package dev.relay.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The management readiness check ({@code /ready}): true once every condition in {@link Readiness}
 * holds. Pekko Management adds its own cluster-membership check beside it.
 */
public final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final Readiness readiness;

  public ReadinessCheck(ActorSystem system) {
    this.readiness = Readiness.get(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(readiness.isReady());
  }
}
