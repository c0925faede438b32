package io.akb.cache.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link ResultSet} handed to a caller with the statement and connection made for it: closing the
 * result set closes them too, so a caller that holds only the result set (try-with-resources) leaks
 * neither. Every other call goes to the driver's result set unchanged.
 */
final class ClosingResultSet implements InvocationHandler {
  private final ResultSet rows;
  private final Statement statement;
  private final Connection connection;

  private ClosingResultSet(ResultSet rows, Statement statement, Connection connection) {
    this.rows = rows;
    this.statement = statement;
    this.connection = connection;
  }

  static ResultSet wrap(ResultSet rows, Statement statement, Connection connection) {
    return (ResultSet)
        Proxy.newProxyInstance(
            ResultSet.class.getClassLoader(),
            new Class<?>[] {ResultSet.class},
            new ClosingResultSet(rows, statement, connection));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getParameterCount() == 0 && method.getName().equals("close")) {
      close();
      return null;
    }
    // The proxy is its own object: equal only to itself, whatever the driver's result set says.
    if (method.getParameterCount() == 1 && method.getName().equals("equals")) {
      return proxy == args[0];
    }
    if (method.getParameterCount() == 0 && method.getName().equals("hashCode")) {
      return System.identityHashCode(proxy);
    }
    try {
      return method.invoke(rows, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Closes all three even when one fails, and reports the first failure. */
  private void close() throws SQLException {
    SQLException failure = null;
    for (AutoCloseable closeable : new AutoCloseable[] {rows, statement, connection}) {
      try {
        closeable.close();
      } catch (SQLException e) {
        if (failure == null) {
          failure = e;
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = new SQLException(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
