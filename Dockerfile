# syntax=docker/dockerfile:1
# Multi-stage build: the SDK image compiles and publishes; the ASP.NET runtime image runs it as a non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Api.sln ./
COPY src/Api/Api.csproj src/Api/
RUN dotnet restore src/Api/Api.csproj
COPY db/ db/
COPY src/ src/
RUN dotnet publish src/Api/Api.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# MALLOC_ARENA_MAX: glibc keeps what image renders free in per-thread pools; two pools held 8
# concurrent renders at 316 MiB instead of 430-490 (scripts/bench media:cold-concurrent-8). Set here,
# before the process starts, it also covers the runtime's own early threads.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_gcServer=0 \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
# APP_UID is the unprivileged 'app' user that Microsoft's .NET images define.
USER $APP_UID
ENTRYPOINT ["dotnet", "Api.dll"]
