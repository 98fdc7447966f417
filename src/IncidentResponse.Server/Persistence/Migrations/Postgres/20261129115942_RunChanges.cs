using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RunChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "after",
                table: "run_steps",
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "description",
                table: "run_steps",
                type: "character varying(8000)",
                maxLength: 8000,
                nullable: true);

            migrationBuilder.AddColumn<Instant>(
                name: "due_at",
                table: "run_steps",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "evidence",
                table: "run_steps",
                type: "character varying(40020)",
                maxLength: 40020,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "phase",
                table: "run_steps",
                type: "character varying(24)",
                maxLength: 24,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "after",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "description",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "due_at",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "evidence",
                table: "run_steps");

            migrationBuilder.DropColumn(
                name: "phase",
                table: "run_steps");
        }
    }
}
